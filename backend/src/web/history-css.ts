/**
 * The task history's and the usage chart's styles, appended to the dashboard's stylesheet. Status badges keep
 * at least 4.5:1 text contrast in both schemes and always carry the status in words. Thumbnails and the
 * before/after view sit on a light checkerboard in both schemes, so a dark cut-out stays visible on a dark page.
 */
export const historyCss = `
:root {
  --ok-bg: #dff3e6; --ok-text: #14532d; --bad-bg: #fde2e0; --bad-text: #8c1d18;
  --open-bg: #e3e6fd; --open-text: #2f2a8f; --off-bg: #ececf1; --off-text: #44445a;
  --checker: repeating-conic-gradient(#d4d4dc 0 25%, #ffffff 0 50%) 0 0 / 12px 12px;
}
@media (prefers-color-scheme: dark) {
  :root {
    --ok-bg: #16392a; --ok-text: #a6f0c2; --bad-bg: #4a1d1a; --bad-text: #ffb4ab;
    --open-bg: #27244f; --open-text: #c9c4ff; --off-bg: #2c2c36; --off-text: #c8c8d6;
  }
}
.small { font-size: .875rem; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .85rem; font-weight: 600; white-space: nowrap; }
.badge.done { background: var(--ok-bg); color: var(--ok-text); }
.badge.failed { background: var(--bad-bg); color: var(--bad-text); }
.badge.open { background: var(--open-bg); color: var(--open-text); }
.badge.canceled { background: var(--off-bg); color: var(--off-text); }
img.thumb, .thumb.empty { display: block; width: 64px; height: 64px; border-radius: 4px; background: var(--checker); object-fit: contain; border: 1px solid var(--border); }
.thumb.empty { background: var(--bg); }
table.history .op { font-weight: 600; text-decoration: none; }
table.history .op:hover { text-decoration: underline; }
.file { overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
table.history .what { min-width: 14rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: 0 0 1rem; }
form.filters label { font-size: .9rem; }
.task-title { overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem 1.5rem; margin: 0 0 1.5rem; }
dl.facts dt { color: var(--muted); font-size: .85rem; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.before-after { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.before-after figure { margin: 0; min-width: 0; }
.before-after figcaption { font-weight: 600; margin-bottom: .25rem; }
img.checker { display: block; max-width: 100%; height: auto; max-height: 70vh; background: var(--checker); border: 1px solid var(--border); border-radius: 6px; }
.chart-body { display: grid; grid-template-columns: 1.5rem 2.75rem minmax(0, 1fr); grid-template-rows: 1.25rem 10rem auto auto; margin-top: .5rem; }
.chart-body .y-title { grid-column: 1; grid-row: 2; writing-mode: vertical-rl; transform: rotate(180deg); text-align: center; font-size: .8rem; color: var(--muted); }
.chart-body .y-ticks { grid-column: 2; grid-row: 2; position: relative; font-size: .8rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.chart-body .y-ticks span { position: absolute; right: .4rem; transform: translateY(-50%); line-height: 1; }
.chart-body .added-band { grid-column: 3; grid-row: 1; position: relative; }
.chart-body .marker { position: absolute; top: .2rem; width: .7rem; height: .7rem; transform: translateX(-50%) rotate(45deg); background: var(--bar-added); border-radius: 1px; }
.chart-body .plot { grid-column: 3; grid-row: 2; border-left: 1px solid var(--border-strong); border-bottom: 1px solid var(--border-strong); }
.chart-body .plot svg { width: 100%; height: 100%; display: block; }
.chart-body .x-ticks { grid-column: 3; grid-row: 3; display: flex; justify-content: space-between; font-size: .8rem; color: var(--muted); padding-top: .2rem; }
.chart-body .x-title { grid-column: 3; grid-row: 4; text-align: center; font-size: .8rem; color: var(--muted); }
.chart .grid-line { stroke: var(--border); }
.legend .swatch.diamond { transform: rotate(45deg) scale(.8); }
@media (max-width: 600px) {
  /* The history as cards: thumbnail beside what was done, the rest below, nothing wider than the screen. */
  table.history { display: block; overflow: visible; background: none; }
  table.history thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.history tbody { display: grid; gap: .75rem; }
  table.history tr { display: grid; grid-template-columns: 64px minmax(0, 1fr); gap: .25rem .75rem; background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: .75rem; }
  table.history td { border: none; padding: 0; }
  table.history td.thumb-cell { grid-row: span 2; }
  table.history td.what { min-width: 0; }
  table.history td:nth-child(n+3) { grid-column: 2; }
  table.history td.num { text-align: left; }
  .before-after { grid-template-columns: 1fr; }
}
`;
