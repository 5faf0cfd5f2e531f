// Builds the Express add-on folder (manifest.json v2, index.html + ui.js for the panel, code.js for the document
// sandbox, icons) and dist.zip with manifest.json at its root, ready for a private link or submission.
// Options: --outdir (default dist/), --api-origin or LUMINA_API_ORIGIN (default http://127.0.0.1:8787),
// --experimental-apis or LUMINA_EXPERIMENTAL_APIS=1 (off by default; never for a production package).
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { slimSpectrum, tokenFile } from './slim-spectrum.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    outdir: { type: 'string' },
    'api-origin': { type: 'string' },
    'experimental-apis': { type: 'boolean' },
  },
});
const outdir = resolve(values.outdir ?? join(root, 'dist'));
const addonDir = join(outdir, 'addon');
const apiOrigin = new URL(values['api-origin'] || process.env.LUMINA_API_ORIGIN || 'http://127.0.0.1:8787').origin;
const experimentalApis = values['experimental-apis'] === true || process.env.LUMINA_EXPERIMENTAL_APIS === '1';

/** Express provides the UI SDK at this URL; it stays an import by URL, never bundled. */
export const uiSdkUrl = 'https://new.express.adobe.com/static/add-on-sdk/sdk.js';
/** Express provides these to the document sandbox at run time. */
export const sandboxModules = ['express-document-sdk', 'add-on-sdk-document-sandbox'];

const manifest = {
  testId: 'lumina-ai-studio',
  name: 'Lumina AI Studio',
  version: '1.0.0',
  manifestVersion: 2,
  requirements: {
    apps: [{ name: 'Express', apiVersion: 1 }],
    ...(experimentalApis ? { experimentalApis: true } : {}),
  },
  entryPoints: [
    {
      type: 'panel',
      id: 'lumina-panel',
      main: 'index.html',
      documentSandbox: 'code.js',
      // Sign-in opens the Lumina pairing page and the buy-credits page in a popup.
      permissions: { sandbox: ['allow-popups', 'allow-popups-to-escape-sandbox'] },
    },
  ],
};

const define = {
  __LUMINA_API_ORIGIN__: JSON.stringify(apiOrigin),
  __LUMINA_EXPERIMENTAL_APIS__: JSON.stringify(experimentalApis),
};

await rm(outdir, { recursive: true, force: true });
await mkdir(join(addonDir, 'icons'), { recursive: true });

const uiOptions = {
  entryPoints: [join(root, 'src/ui/main.tsx')],
  outfile: join(addonDir, 'ui.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  external: [uiSdkUrl],
  define,
  logLevel: 'warning',
};
// Two passes (see slim-spectrum.mjs): the first lists what the panel bundles, the second keeps only the Spectrum
// design tokens that something in it uses.
const firstPass = await esbuild.build({ ...uiOptions, write: false, metafile: true, plugins: [slimSpectrum()] });
const bundled = Object.keys(firstPass.metafile.inputs)
  .filter((input) => !input.includes(':'))
  .map((input) => resolve(input));
const tokenFiles = bundled.filter((path) => tokenFile.test(path));
const seedTexts = await Promise.all(
  [...bundled.filter((path) => !tokenFile.test(path)), join(root, 'src/ui/styles.css')].map((path) =>
    readFile(path, 'utf8'),
  ),
);
await esbuild.build({ ...uiOptions, plugins: [slimSpectrum({ tokens: { files: tokenFiles, seedTexts } })] });

await esbuild.build({
  entryPoints: [join(root, 'src/sandbox/code.ts')],
  outfile: join(addonDir, 'code.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  external: sandboxModules,
  define,
  logLevel: 'warning',
});

await copyFile(join(root, 'src/ui/index.html'), join(addonDir, 'index.html'));
await copyFile(join(root, 'src/ui/styles.css'), join(addonDir, 'styles.css'));
await writeFile(join(addonDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const size of [24, 48, 144]) await writeFile(join(addonDir, 'icons', `icon-${size}.png`), await iconPng(size));

// dist.zip: the add-on folder's content at the archive's root, as Express expects manifest.json there.
const entries = {};
for (const file of await listFiles(addonDir)) {
  entries[relative(addonDir, file).split('\\').join('/')] = new Uint8Array(await readFile(file));
}
await writeFile(join(outdir, 'dist.zip'), zipSync(entries, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') }));

console.log(
  `built ${relative(process.cwd(), addonDir)} and dist.zip (API ${apiOrigin}${experimentalApis ? ', EXPERIMENTAL APIs on' : ''})`,
);
// The sizes people download, as stored and as sent compressed; the build test holds each bundle to its budget.
for (const name of ['ui.js', 'code.js', 'styles.css']) {
  const bytes = await readFile(join(addonDir, name));
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `  ${name.padEnd(10)} ${kb(bytes.length).padStart(9)}  (${kb(gzipSync(bytes, { level: 9 }).length)} gzip)`,
  );
}

async function listFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else files.push(path);
  }
  return files.sort();
}

/**
 * The icon: a violet rounded square with a white four-point spark, drawn as SVG and rasterised by sharp (already
 * in the tree for the backend), so no hand-written image encoder is needed.
 */
function iconPng(size) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">
  <rect width="100" height="100" rx="22" fill="#6c4cf5"/>
  <path d="M50 12 C53 38 62 47 88 50 C62 53 53 62 50 88 C47 62 38 53 12 50 C38 47 47 38 50 12 Z" fill="#ffffff"/>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
