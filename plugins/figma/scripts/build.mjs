// Builds the folder Figma's "Import plugin from manifest…" loads: manifest.json, code.js (main thread) and one
// self-contained ui.html (script and styles inlined). Set at build time, since the manifest is static:
// LUMINA_API_ORIGIN (the API the plugin calls), PUBLIC_BASE_URL and LUMINA_RESULT_ORIGINS (where result links
// point: the backend's public URL, the storage or edge origin) and LUMINA_FIGMA_PLUGIN_ID (the id Figma issued).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    outdir: { type: 'string' },
    'api-origin': { type: 'string' },
    'public-base-url': { type: 'string' },
    'result-origins': { type: 'string' },
    'plugin-id': { type: 'string' },
  },
});
const outdir = resolve(values.outdir ?? join(root, 'dist'));
const apiOrigin = new URL(values['api-origin'] || process.env.LUMINA_API_ORIGIN || 'http://127.0.0.1:8787').origin;
const publicBaseUrl = values['public-base-url'] ?? process.env.PUBLIC_BASE_URL ?? '';
const resultOrigins = (values['result-origins'] ?? process.env.LUMINA_RESULT_ORIGINS ?? '')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean);
const pluginId = values['plugin-id'] || process.env.LUMINA_FIGMA_PLUGIN_ID || '';

/** The id Figma shows when a plugin is first published; a placeholder works for development imports only. */
const developmentId = 'lumina-ai-studio-development';
if (pluginId && !/^\d+$/.test(pluginId)) {
  throw new Error(`LUMINA_FIGMA_PLUGIN_ID must be the numeric id Figma issued, not "${pluginId}"`);
}

const isLocal = (origin) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(origin).hostname);

/**
 * Figma's manifest. Every origin the plugin fetches from is listed (and shown publicly on the plugin's page):
 * the API, and every origin a result link can point at, or Figma blocks the download.
 */
export const manifestOf = ({ api, results, id }) => {
  const origins = [...new Set([api, ...results].map((origin) => new URL(origin).origin))];
  const remote = origins.filter((origin) => !isLocal(origin));
  const local = origins.filter(isLocal);
  return {
    name: 'Lumina AI Studio',
    id: id || developmentId,
    api: '1.0.0',
    main: 'code.js',
    ui: 'ui.html',
    editorType: ['figma'],
    documentAccess: 'dynamic-page',
    networkAccess: {
      allowedDomains: remote.length > 0 ? remote : ['none'],
      devAllowedDomains: local.length > 0 ? local : ['http://localhost:8787', 'http://127.0.0.1:8787'],
      reasoning:
        'Lumina sends the selected layer to the Lumina API to process it (remove background, upscale, magic edit) ' +
        'and downloads the result from the API or the storage it serves results from.',
    },
    menu: [
      { name: 'Open Lumina', command: 'open' },
      { separator: true },
      { name: 'Remove background', command: 'remove-background' },
      {
        name: 'Upscale',
        command: 'upscale',
        parameters: [{ name: 'Scale', key: 'scale', description: '2× or 4×' }],
      },
      {
        name: 'Magic edit',
        command: 'magic-edit',
        parameters: [
          {
            name: 'Instruction',
            key: 'prompt',
            description: 'What to change, e.g. make it sunset',
            allowFreeform: true,
          },
        ],
      },
    ],
    relaunchButtons: [
      { command: 'open', name: 'Open Lumina' },
      { command: 'repeat', name: 'Repeat Lumina edit', multipleSelection: true },
    ],
  };
};

/** The UI kit marks its global (not module) stylesheets with a leading `!`, a convention of its own build tool. */
const globalCssImports = {
  name: 'global-css-imports',
  setup(build) {
    build.onResolve({ filter: /^!/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(1)) }));
  },
};

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
  // The UI kit's components import their styles as CSS modules; React imports resolve to Preact.
  loader: { '.module.css': 'local-css' },
  alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  plugins: [globalCssImports],
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
const codeJs = main.outputFiles[0]?.text ?? '';
const manifest = manifestOf({
  api: apiOrigin,
  results: [publicBaseUrl, ...resultOrigins].filter(Boolean),
  id: pluginId,
});

await mkdir(outdir, { recursive: true });
await writeFile(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
await writeFile(join(outdir, 'code.js'), codeJs);
await writeFile(join(outdir, 'ui.html'), html);
const kb = (text) => `${(Buffer.byteLength(text) / 1024).toFixed(1)} KB`;
console.log(`built ${outdir} for ${apiOrigin}`);
console.log(`  code.js  ${kb(codeJs)} (limit 120 KB)`);
console.log(`  ui.html  ${kb(html)} (limit 250 KB)`);
if (!pluginId) console.log('  manifest id is a development placeholder: set LUMINA_FIGMA_PLUGIN_ID before publishing');
