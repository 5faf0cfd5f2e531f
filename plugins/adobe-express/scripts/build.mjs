// Builds the Express add-on folder (manifest.json v2, index.html + ui.js for the panel, code.js for the document
// sandbox, icons) and dist.zip with manifest.json at its root, ready for a private link or submission.
// Options: --outdir (default dist/), --api-origin or LUMINA_API_ORIGIN (default http://127.0.0.1:8787),
// --experimental-apis or LUMINA_EXPERIMENTAL_APIS=1 (off by default; never for a production package).
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { zipSync } from 'fflate';

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

await esbuild.build({
  entryPoints: [join(root, 'src/ui/main.tsx')],
  outfile: join(addonDir, 'ui.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  external: [uiSdkUrl],
  define,
  logLevel: 'warning',
});

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
for (const size of [24, 48, 144]) await writeFile(join(addonDir, 'icons', `icon-${size}.png`), iconPng(size));

// dist.zip: the add-on folder's content at the archive's root, as Express expects manifest.json there.
const entries = {};
for (const file of await listFiles(addonDir)) {
  entries[relative(addonDir, file).split('\\').join('/')] = new Uint8Array(await readFile(file));
}
await writeFile(join(outdir, 'dist.zip'), zipSync(entries, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') }));

console.log(
  `built ${relative(process.cwd(), addonDir)} and dist.zip (API ${apiOrigin}${experimentalApis ? ', EXPERIMENTAL APIs on' : ''})`,
);

async function listFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else files.push(path);
  }
  return files.sort();
}

/** The icon: a violet rounded square with a white four-point spark, drawn per pixel and encoded as PNG. */
function iconPng(size) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const c = (size - 1) / 2;
  const corner = size * 0.22;
  for (let y = 0; y < size; y += 1) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x += 1) {
      const dx = Math.max(0, Math.abs(x - c) - (c - corner));
      const dy = Math.max(0, Math.abs(y - c) - (c - corner));
      const inside = Math.hypot(dx, dy) <= corner;
      const ax = Math.abs(x - c) / c;
      const ay = Math.abs(y - c) / c;
      const spark = Math.sqrt(ax) + Math.sqrt(ay) <= 0.9;
      const offset = y * (size * 4 + 1) + 1 + x * 4;
      const [r, g, b] = spark ? [255, 255, 255] : [108, 76, 245];
      raw[offset] = r;
      raw[offset + 1] = g;
      raw[offset + 2] = b;
      raw[offset + 3] = inside ? 255 : 0;
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
