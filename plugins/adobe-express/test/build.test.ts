import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonRoot, buildAddon } from './support/build-addon.ts';
import { cssCustomProperties, namesSpectrumExpressNeverDeclares } from './support/css-custom-properties.ts';

const sdkUrl = 'https://new.express.adobe.com/static/add-on-sdk/sdk.js';
let outdir: string;
let addon: string;

beforeAll(async () => {
  outdir = await buildAddon({ apiOrigin: 'https://api.lumina.example' });
  addon = join(outdir, 'addon');
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const read = (name: string) => readFileSync(join(addon, name), 'utf8');
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(addon, path)];
  });

/** Every module specifier a bundle imports (static and dynamic). */
const importsOf = (code: string) =>
  [...code.matchAll(/\bimport\s*(?:[\w${},*\s]+from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );

describe('the add-on build', () => {
  it('writes a version 2 manifest with the panel entry point, its document sandbox and popup permission', () => {
    const manifest = JSON.parse(read('manifest.json'));
    expect(manifest).toMatchObject({
      manifestVersion: 2,
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      requirements: { apps: [{ name: 'Express', apiVersion: 1 }] },
      entryPoints: [
        {
          type: 'panel',
          main: 'index.html',
          documentSandbox: 'code.js',
          permissions: { sandbox: expect.arrayContaining(['allow-popups']) },
        },
      ],
    });
    expect(manifest.requirements.experimentalApis).toBeUndefined();
    for (const entry of manifest.entryPoints) {
      expect(filesUnder(addon)).toContain(entry.main);
      expect(filesUnder(addon)).toContain(entry.documentSandbox);
    }
  });

  it('packs dist.zip with manifest.json at its root and exactly the add-on folder inside', () => {
    const zip = unzipSync(new Uint8Array(readFileSync(join(outdir, 'dist.zip'))));
    expect(Object.keys(zip).sort()).toEqual(filesUnder(addon).sort());
    expect(Object.keys(zip)).toContain('manifest.json');
    expect(new TextDecoder().decode(zip['manifest.json'])).toBe(read('manifest.json'));
    for (const size of [24, 48, 144]) {
      const icon = zip[`icons/icon-${size}.png`];
      expect(icon?.subarray(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
      expect(Buffer.from(icon ?? []).readUInt32BE(16)).toBe(size);
    }
  });

  it('loads no script from anywhere but the add-on itself and Express’s SDK URL', () => {
    const html = read('index.html');
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.filter((url) => /^(https?:)?\/\//.test(url ?? ''))).toEqual([sdkUrl]);
    expect(html).toContain('<script type="module" src="ui.js"></script>');
    expect(importsOf(read('ui.js'))).toEqual([sdkUrl]);
  });

  it('keeps the document-sandbox SDK modules external and bundles everything else', () => {
    const code = read('code.js');
    expect(importsOf(code).sort()).toEqual(['add-on-sdk-document-sandbox', 'express-document-sdk']);
    // The adapter itself is in the bundle, not left as an import.
    expect(code).toContain('keepContentActiveDuringAsync');
  });

  it('bakes the API origin in at build time', () => {
    expect(read('ui.js')).toContain('https://api.lumina.example');
    expect(read('ui.js')).not.toContain('127.0.0.1:8787');
  });

  it('turns the experimental APIs on only when the build flag asks for them', async () => {
    const experimental = await buildAddon({ experimentalApis: true });
    try {
      const manifest = JSON.parse(readFileSync(join(experimental, 'addon/manifest.json'), 'utf8'));
      expect(manifest.requirements.experimentalApis).toBe(true);
      const ui = readFileSync(join(experimental, 'addon/ui.js'), 'utf8');
      expect(ui).toContain('http://127.0.0.1:8787');
      // The direct-pixel read is compiled into the experimental panel only.
      const readsPixels = /\.readMedia\(\{nodeId:/;
      expect(ui).toMatch(readsPixels);
      expect(read('ui.js')).not.toMatch(readsPixels);
    } finally {
      rmSync(experimental, { recursive: true, force: true });
    }
  });

  it('keeps each bundle within its budget: ui.js at most 510 KB as stored and 116 KB as sent, code.js 250 KB', () => {
    const ui = readFileSync(join(addon, 'ui.js'));
    const code = readFileSync(join(addon, 'code.js'));
    // Spectrum's unused design tokens, its unreachable typography rules and unused lazy extras are left out
    // (scripts/slim-spectrum.mjs): 983 KB → 499.9 KB (111.2 KB gzip), with every token a kept rule reads.
    expect(ui.length).toBeLessThanOrEqual(510 * 1024);
    expect(gzipSync(ui, { level: 9 }).length).toBeLessThanOrEqual(116 * 1024);
    expect(code.length).toBeLessThanOrEqual(250 * 1024);
  });

  it('declares every custom property the panel reads without a fallback: slimming drops no token still in use', () => {
    const ui = cssCustomProperties(read('ui.js'));
    const styles = cssCustomProperties(read('styles.css'));
    const declared = new Set([...ui.declared, ...styles.declared]);
    // Spectrum's unset hooks are missing from any build, slimmed or not; the panel's own stylesheet gets no such pass.
    const upstream = namesSpectrumExpressNeverDeclares();
    const missing = [
      ...[...ui.readWithoutFallback].filter((name) => !declared.has(name) && !upstream.has(name)),
      ...[...styles.readWithoutFallback].filter((name) => !declared.has(name)),
    ];
    expect(missing.sort(), `read with var() and no fallback, but declared nowhere in the bundle`).toEqual([]);
    // The check has something to check: the theme's font, colours and sizes are there.
    expect([...ui.readWithoutFallback].length).toBeGreaterThan(500);
    expect(declared).toContain('--spectrum-font-family');
  });

  it('leaves out the theme’s typography rules, which no element of the panel can match', () => {
    // sp-theme adopts the theme's stylesheets in a shadow root that holds only a <slot>; neither the panel nor a
    // Spectrum component template names these classes, so no rule for them is bundled and none is relied on.
    expect([...new Set(read('ui.js').match(/spectrum-(?:Typography|Heading|Body|Detail|Code)\b/g))]).toEqual([]);
    // The theme’s own :host rule (font, size) stays.
    expect(read('ui.js').includes('font-family:var(--spectrum-font-family)'), 'the theme’s :host font rule').toBe(true);
  });

  it('leaves out the lazily loaded Spectrum elements the panel never uses', () => {
    const ui = read('ui.js');
    // An element is registered as define('sp-…', Class) (minified to any name); the ones used are there.
    const registered = (element: string) => new RegExp(`\\(\\s*["']${element}["']\\s*,`).test(ui);
    expect(['sp-theme', 'sp-button', 'sp-slider', 'sp-textfield'].filter(registered)).toHaveLength(4);
    expect(['sp-number-field', 'sp-tooltip', 'sp-overlay'].filter(registered)).toEqual([]);
  });

  it('draws the icons with sharp: real PNGs at each size, no hand-written encoder in the build script', async () => {
    for (const size of [24, 48, 144]) {
      const meta = await sharp(readFileSync(join(addon, `icons/icon-${size}.png`))).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height, channels: meta.channels }).toEqual({
        format: 'png',
        width: size,
        height: size,
        channels: 4,
      });
    }
    expect(readFileSync(join(addonRoot, 'scripts/build.mjs'), 'utf8')).not.toMatch(/crc32|IHDR|deflateSync/);
  });

  it('uses Spectrum Web Components with the Express theme in the panel', () => {
    const ui = read('ui.js');
    expect(ui).toContain('sp-theme');
    expect(ui).toContain('medium-express');
    expect(ui).toContain('light-express');
    expect(ui).toContain('dark-express');
  });
});
