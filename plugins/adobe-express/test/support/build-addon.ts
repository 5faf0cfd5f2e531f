import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const addonRoot = resolve(import.meta.dirname, '../..');

/** Runs the real build (`scripts/build.mjs`) into a fresh folder; returns that folder. */
export async function buildAddon(options: { apiOrigin?: string; experimentalApis?: boolean } = {}): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'lumina-express-build-'));
  const args = [join(addonRoot, 'scripts/build.mjs'), '--outdir', outdir];
  if (options.apiOrigin) args.push('--api-origin', options.apiOrigin);
  if (options.experimentalApis) args.push('--experimental-apis');
  await promisify(execFile)(process.execPath, args, { cwd: addonRoot, env: { ...process.env, LUMINA_API_ORIGIN: '' } });
  return outdir;
}
