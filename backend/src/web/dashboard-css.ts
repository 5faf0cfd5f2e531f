import { historyCss } from './history-css.ts';

/**
 * The dashboard's whole stylesheet, inlined in every page (a few KB, no extra request, no external assets).
 * Colours come from custom properties so `prefers-color-scheme: dark` swaps them in one place; text colours
 * keep at least 4.5:1 contrast against their backgrounds in both schemes.
 */
export const dashboardCss = `
:root {
  color-scheme: light dark;
  --bg: #f7f7f8; --surface: #ffffff; --text: #1a1a1f; --muted: #55556a; --border: #d9d9e0;
  --accent: #4b3fd8; --accent-text: #ffffff; --danger: #b3261e; --ok: #1b6b3a; --focus: #b35c00;
  --border-strong: #7a7a8c;
  --bar: #6c5ce7; --bar-added: #2e9e5b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121217; --surface: #1c1c24; --text: #ececf1; --muted: #a9a9bc; --border: #33333f;
    --accent: #9d94ff; --accent-text: #121217; --danger: #ff8a80; --ok: #7bd69b; --focus: #ffc14d;
    --border-strong: #8a8a9e;
    --bar: #9d94ff; --bar-added: #7bd69b;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--surface); padding: .5rem; z-index: 1; }
header.top { background: var(--surface); border-bottom: 1px solid var(--border); }
header.top .bar { max-width: 64rem; margin: 0 auto; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; }
.brand { font-weight: 700; text-decoration: none; color: var(--text); }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
nav a { text-decoration: none; padding: .25rem 0; border-bottom: 2px solid transparent; }
nav a[aria-current="page"] { border-bottom-color: var(--accent); color: var(--text); font-weight: 600; }
.spacer { flex: 1; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
main.narrow { max-width: 28rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 1rem 1.25rem; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
.stat dt { color: var(--muted); font-size: .9rem; }
.stat dd { margin: 0; font-size: 1.8rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.stat dd .unit { font-size: 1rem; font-weight: 400; color: var(--muted); }
.stat dd.detail { font-size: .9rem; font-weight: 400; color: var(--muted); }
header.top form.inline { align-items: center; }
form.stack { display: grid; gap: .75rem; }
form.inline { display: inline-flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: 0; }
label { display: grid; gap: .25rem; font-weight: 600; font-size: .95rem; }
::placeholder { font-weight: 400; color: var(--muted); opacity: 1; }
input, select { font: inherit; padding: .5rem .6rem; border: 1px solid var(--border-strong); border-radius: 6px; background: var(--bg); color: var(--text); }
button, .button { font: inherit; font-weight: 600; padding: .5rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: transparent; color: var(--accent); }
button.danger, .button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
button.link { background: none; border: none; color: var(--accent); padding: .25rem 0; text-decoration: underline; }
table { width: 100%; border-collapse: collapse; background: var(--surface); }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--border); vertical-align: middle; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.notice { border-left: 4px solid var(--ok); background: var(--surface); padding: .75rem 1rem; margin: 0 0 1rem; }
.alert { border-left: 4px solid var(--danger); background: var(--surface); padding: .75rem 1rem; margin: 0 0 1rem; }
.secret { display: flex; gap: .5rem; }
.snippet { display: flex; gap: .5rem; align-items: flex-start; }
.snippet pre { flex: 1; min-width: 0; margin: 0; padding: .6rem .75rem; overflow-x: auto; background: var(--bg); border: 1px solid var(--border-strong); border-radius: 6px; font-size: .85rem; }
.get-started { margin-bottom: 1.5rem; }
.get-started h2 { margin-top: 0; }
.get-started ol { margin: 0; padding-left: 1.25rem; display: grid; grid-template-columns: minmax(0, 1fr); gap: .75rem; }
.get-started h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
.get-started p { margin: 0 0 .5rem; overflow-wrap: anywhere; }
.confirm > p:first-child { margin-top: 0; }
.secret input { flex: 1; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
time { white-space: nowrap; }
.field { display: grid; gap: .25rem; }
.field > label { font-weight: 600; }
label .hint { font-weight: 400; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.code { font-size: 2rem; letter-spacing: .2em; font-weight: 700; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .spent { fill: var(--bar); }
.chart .added { fill: var(--bar-added); }
.chart .axis { stroke: var(--border); }
.chart text { fill: var(--muted); font-size: 10px; }
.legend { display: flex; gap: 1rem; font-size: .9rem; color: var(--muted); }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
details summary { cursor: pointer; color: var(--accent); margin-top: .5rem; }
img.thumb { border-radius: 4px; background: repeating-conic-gradient(#8884 0 25%, transparent 0 50%) 0 0 / 12px 12px; object-fit: contain; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 600px) {
  /* On a phone a wide table scrolls inside its own box, so the page (and its header) keeps the screen's width. */
  table { display: block; overflow-x: auto; max-width: 100%; position: relative; }
  header.top .bar { gap: .25rem .75rem; padding: .4rem .75rem; }
  nav ul { gap: .1rem .75rem; font-size: .95rem; }
  main { padding: 1rem .75rem 2rem; }
}
${historyCss}`;
