import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The custom properties a text declares (`--x:`) and those it reads with no fallback (`var(--x)`). */
export function cssCustomProperties(text: string): { declared: Set<string>; readWithoutFallback: Set<string> } {
  return {
    declared: new Set([...text.matchAll(/(--[A-Za-z0-9_-]+)\s*:/g)].map((m) => m[1] ?? '')),
    readWithoutFallback: new Set([...text.matchAll(/var\(\s*(--[A-Za-z0-9_-]+)\s*\)/g)].map((m) => m[1] ?? '')),
  };
}

/**
 * Names Spectrum's own stylesheets read with no fallback that no stylesheet of Spectrum's Express system declares
 * (the components' stylesheets and the Express theme, not the other systems' themes): customisation hooks left unset
 * on purpose, such as `--mod-button-margin-block`, and a few tokens the Express theme lacks, such as
 * `--spectrum-transparent-white-25`. They are missing from the panel slimmed or not, so they are not the slimming's
 * doing. Read from the installed packages, so the list follows their version.
 */
export function namesSpectrumExpressNeverDeclares(): Set<string> {
  const scope = dirname(dirname(createRequire(import.meta.url).resolve('@spectrum-web-components/theme/package.json')));
  const stylesheets = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return stylesheets(path);
      return entry.name.endsWith('.css.js') && !entry.name.endsWith('.dev.js') ? [path] : [];
    });
  const declared = new Set<string>();
  const read = new Set<string>();
  for (const pkg of readdirSync(scope)) {
    const src = join(scope, pkg, pkg === 'theme' ? 'src/express' : 'src');
    if (!existsSync(src)) continue;
    for (const file of stylesheets(src)) {
      const found = cssCustomProperties(readFileSync(file, 'utf8'));
      for (const name of found.declared) declared.add(name);
      for (const name of found.readWithoutFallback) read.add(name);
    }
  }
  return new Set([...read].filter((name) => !declared.has(name)));
}
