/** The studio's styles, on top of the dashboard's (same custom properties, so light and dark follow along). */
export const studioCss = `
.studio-bar { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .5rem 1rem; }
.studio-bar h1 { margin: 0; }
.balance { margin: 0; font-variant-numeric: tabular-nums; }
.dropzone { border: 2px dashed var(--border-strong); border-radius: 10px; padding: 1.25rem; text-align: center; margin: 1rem 0; background: var(--surface); }
.dropzone.dragging { border-color: var(--accent); }
.dropzone p { margin: .25rem 0; }
.refusals { padding-left: 2rem; }
.studio-card { margin: 1rem 0; display: grid; gap: .75rem; min-width: 0; }
.studio-card * { min-width: 0; }
.studio-card input, .studio-card select, .studio-card textarea { max-width: 100%; }
.studio-card-head { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline; }
.studio-card-head h2 { margin: 0; font-size: 1.05rem; overflow-wrap: anywhere; }
.checker { background-color: #fff; background-image: repeating-conic-gradient(#c8c8d0 0 25%, transparent 0 50%); background-size: 16px 16px; }
.stage { max-width: 100%; overflow: auto; border-radius: 6px; border: 1px solid var(--border); }
.stage .frame { position: relative; display: block; width: 100%; }
.stage img { display: block; width: 100%; height: auto; }
.stage.zoom { max-height: 70vh; }
.stage.zoom .frame { width: max-content; }
.stage.zoom img { width: auto; max-width: none; }
.stage .before { position: absolute; inset: 0; width: 100%; height: 100%; }
.stage .after { position: relative; }
.stage.zoom .before { width: 100%; height: 100%; }
.divider { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: var(--accent); pointer-events: none; }
.compare-range { display: flex; align-items: center; gap: .5rem; font-weight: 400; }
.compare-range input { flex: 1; min-width: 0; }
.result-actions a { font-weight: 600; }
.drag-handle { width: 2.5rem; height: 2.5rem; object-fit: contain; border: 1px solid var(--border); border-radius: 4px; cursor: grab; }
.studio-form fieldset { border: 1px solid var(--border); border-radius: 6px; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; }
.choice { display: flex; gap: .4rem; align-items: baseline; font-weight: 400; }
.segmented .hint { flex-basis: 100%; }
.studio-form input[type=range] { display: block; width: 100%; max-width: 20rem; }
.price { margin: 0; }
.progress { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.progress progress { flex: 1; min-width: 8rem; }
.takes h3 { margin: 0 0 .5rem; font-size: 1rem; }
.take-list { list-style: none; padding: 0; margin: 0 0 .5rem; display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); }
.take { display: grid; gap: .4rem; }
.take img { display: block; width: 100%; height: auto; }
textarea { font: inherit; padding: .5rem .6rem; border: 1px solid var(--border-strong); border-radius: 6px; background: var(--bg); color: var(--text); }
`;
