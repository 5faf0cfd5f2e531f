import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../../studio/main.tsx', import.meta.url));

let bundle: Promise<string> | undefined;

/**
 * The studio's client script (Preact), bundled by esbuild from `backend/studio/` on first request and kept in
 * memory: one self-contained file, no external assets, nothing to build before `npm start`.
 */
export function studioBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => {
    const [file] = result.outputFiles;
    if (!file) throw new Error('esbuild produced no studio bundle');
    return file.text;
  });
  // A failed build is tried again on the next request rather than remembered.
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}
