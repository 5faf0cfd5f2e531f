// Builds the folder Figma's "Import plugin from manifest…" loads: manifest.json, code.js (main thread) and one
// self-contained ui.html (script and styles inlined). LUMINA_API_ORIGIN sets the API the plugin calls.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' }, 'api-origin': { type: 'string' } } });
const outdir = resolve(values.outdir ?? join(root, 'dist'));
const apiOrigin = new URL(values['api-origin'] || process.env.LUMINA_API_ORIGIN || 'http://127.0.0.1:8787').origin;

const isLocal = (origin) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(origin).hostname);

/** Figma's manifest: every host the plugin calls is listed, and shown publicly on the plugin's page. */
export const manifestOf = (origin) => ({
  name: 'Lumina AI Studio',
  id: 'lumina-ai-studio',
  api: '1.0.0',
  main: 'code.js',
  ui: 'ui.html',
  editorType: ['figma'],
  documentAccess: 'dynamic-page',
  networkAccess: {
    allowedDomains: isLocal(origin) ? ['none'] : [origin],
    devAllowedDomains: isLocal(origin) ? [origin] : ['http://localhost:8787', 'http://127.0.0.1:8787'],
    reasoning:
      'Lumina sends the selected layer to the Lumina API to process it (remove background, upscale, magic edit) ' +
      'and downloads the result from the same API.',
  },
  menu: [
    { name: 'Open Lumina', command: 'open' },
    { separator: true },
    { name: 'Remove background', command: 'remove-background' },
    { name: 'Upscale 2×', command: 'upscale-2' },
    { name: 'Upscale 4×', command: 'upscale-4' },
  ],
  relaunchButtons: [
    { command: 'open', name: 'Open Lumina' },
    { command: 'remove-background', name: 'Remove background', multipleSelection: true },
    { command: 'upscale-2', name: 'Upscale 2×', multipleSelection: true },
  ],
});

const define = { __API_ORIGIN__: JSON.stringify(apiOrigin) };

const main = await esbuild.build({
  entryPoints: [join(root, 'src/main/main.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  // Figma's main-thread sandbox runs ES2017-era syntax reliably (no `??=`, class fields are fine to lower).
  target: 'es2017',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  define,
  minify: true,
  legalComments: 'none',
});

const ui = await esbuild.build({
  entryPoints: [join(root, 'src/ui/ui.tsx')],
  bundle: true,
  write: false,
  outdir: 'ui',
  format: 'iife',
  target: 'es2020',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define,
  minify: true,
  legalComments: 'none',
});
const js = ui.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '';
const css = ui.outputFiles.find((file) => file.path.endsWith('.css'))?.text ?? '';
// `</script` inside the bundle would end the inline script early.
const inlineJs = js.replaceAll('</script', '<\\/script');
const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lumina</title><style>${css}</style></head>
<body><div id="app"></div><script>${inlineJs}</script></body>
</html>
`;

await mkdir(outdir, { recursive: true });
await writeFile(join(outdir, 'manifest.json'), `${JSON.stringify(manifestOf(apiOrigin), null, 2)}\n`);
await writeFile(join(outdir, 'code.js'), main.outputFiles[0]?.text ?? '');
await writeFile(join(outdir, 'ui.html'), html);
console.log(`built ${outdir} for ${apiOrigin}`);
