import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pluginRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs the real build (scripts/build.mjs) for an API origin into a folder of its own. */
export function buildPlugin(apiOrigin: string): { dir: string; uiHtml: string; codeJs: string; manifest: unknown } {
  const dir = mkdtempSync(join(tmpdir(), 'lumina-figma-'));
  execFileSync(process.execPath, [join(pluginRoot, 'scripts/build.mjs'), '--outdir', dir, '--api-origin', apiOrigin], {
    stdio: 'pipe',
  });
  return {
    dir,
    uiHtml: readFileSync(join(dir, 'ui.html'), 'utf8'),
    codeJs: readFileSync(join(dir, 'code.js'), 'utf8'),
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
  };
}
