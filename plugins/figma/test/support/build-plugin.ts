import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pluginRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs the real build (scripts/build.mjs) for an API origin into a folder of its own; `args` add options. */
export function buildPlugin(
  apiOrigin: string,
  args: readonly string[] = [],
): { dir: string; uiHtml: string; codeJs: string; manifest: unknown; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lumina-figma-'));
  const log = execFileSync(
    process.execPath,
    [join(pluginRoot, 'scripts/build.mjs'), '--outdir', dir, '--api-origin', apiOrigin, ...args],
    {
      stdio: 'pipe',
      encoding: 'utf8',
      env: { ...process.env, PUBLIC_BASE_URL: '', LUMINA_RESULT_ORIGINS: '', LUMINA_FIGMA_PLUGIN_ID: '' },
    },
  );
  return {
    dir,
    log,
    uiHtml: readFileSync(join(dir, 'ui.html'), 'utf8'),
    codeJs: readFileSync(join(dir, 'code.js'), 'utf8'),
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
  };
}
