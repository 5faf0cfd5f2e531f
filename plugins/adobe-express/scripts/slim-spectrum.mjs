// Keeps Spectrum Web Components small in the panel bundle without changing what it draws.
//
// 1. Unreachable theme rules: the Express theme's stylesheets are adopted by `<sp-theme>`'s shadow root, which holds
//    nothing but a `<slot>`. Their typography rules (`.spectrum-Typography`, `.spectrum-Heading`, `.spectrum-Body`,
//    `.spectrum-Detail`, `.spectrum-Code`: 46 KB of ui.js with the tokens only they read) can match no element:
//    slotted content is outside that shadow tree and the tree has no such classes. `dropUnreachableRules` removes
//    them; the `:host` rules (the theme's font, size and colour scheme) stay. The build test checks that no such
//    class is left in ui.js, so nothing in the panel can be relying on one.
// 2. Design tokens: the Express theme files (`@spectrum-web-components/theme/src/express/*.css.js`) declare every
//    token of the whole design system, about 350 KB, for every component Spectrum has. The panel draws a dozen.
//    `pruneTokens` keeps a custom property when anything that stays in the bundle reads or names it: a component's
//    stylesheet, the panel's own code or styles.css, a kept rule of the theme itself (its `:host` rule reads
//    `--spectrum-font-family`), or the value of another kept token, followed transitively until nothing new is
//    reached. Every other declaration of the theme goes. The build test checks the result: each `var(--x)` without
//    a fallback in ui.js and styles.css is declared there.
// 3. Unset hooks: every component's stylesheet reads each value through a customisation hook first,
//    `var(--mod-button-font-family, var(--spectrum-…))`. A hook that nothing in the panel sets is, by CSS's rules,
//    the guaranteed-invalid value, so the fallback is used; `unwrapUnsetHooks` writes the fallback alone.
// 4. Lazy extras: the slider loads `sp-number-field` only for `editable` sliders, and the text field loads
//    `sp-overlay` and `sp-tooltip` only to show a truncated single-line value. The panel has neither (its one text
//    field is `multiline`), so those imports resolve to an empty module. The build test checks that none of those
//    elements is defined in ui.js and that the panel never asks for them.
// Everything here is a pure function of the installed sources: the same inputs give the same bytes.
import { readFile } from 'node:fs/promises';

/** Spectrum's stylesheets (components' and the theme's), as lit `css` modules. */
export const spectrumStylesheet = /@spectrum-web-components[\\/][\w-]+[\\/]src[\\/](?:express[\\/])?[\w-]+\.css\.js$/;

/** The theme's token files: custom properties in these are kept only when used. */
export const tokenFile = /@spectrum-web-components[\\/]theme[\\/]src[\\/]express[\\/][\w-]+\.css\.js$/;

/** Loaded on demand by components for features the panel does not use (see above). */
export const unusedLazyModules = [
  '@spectrum-web-components/number-field/sp-number-field.js',
  '@spectrum-web-components/overlay/sp-overlay.js',
  '@spectrum-web-components/tooltip/sp-tooltip.js',
];

const nameRe = /--[A-Za-z0-9_-]+/g;
// A custom property declaration: `--name:value` up to `;` or the end of its block.
const declarationRe = /(--[A-Za-z0-9_-]+):([^;{}]*)(;|(?=\}))/g;

/** Every `--name` the given texts mention. */
export const namesIn = (texts) => new Set(texts.flatMap((text) => text.match(nameRe) ?? []));

/** Every `--mod-…` hook the given texts set (`--mod-name:`). */
export const hooksSetIn = (texts) =>
  new Set(texts.flatMap((text) => [...text.matchAll(/(--mod-[A-Za-z0-9_-]+)\s*:/g)].map((m) => m[1])));

/** Replaces `var(--mod-x, fallback)` with `fallback` wherever `--mod-x` is not in `set`. */
export function unwrapUnsetHooks(text, set) {
  const opener = /var\((--mod-[A-Za-z0-9_-]+),/g;
  let out = '';
  let from = 0;
  for (let m = opener.exec(text); m; m = opener.exec(text)) {
    if (set.has(m[1])) continue;
    // Find the `)` that closes this var(.
    let depth = 1;
    let end = opener.lastIndex;
    for (; end < text.length && depth > 0; end++) {
      if (text[end] === '(') depth++;
      else if (text[end] === ')') depth--;
    }
    if (depth !== 0) break;
    out += text.slice(from, m.index) + unwrapUnsetHooks(text.slice(opener.lastIndex, end - 1), set);
    from = end;
    opener.lastIndex = end;
  }
  return out + text.slice(from);
}

/** The theme's typography classes: rules whose every selector starts with one of them are unreachable (see 1.). */
export const unreachableSelector = /^\.spectrum-(?:Typography|Heading|Body|Detail|Code)\b/;

/**
 * Removes from a lit `css` module the top-level rules whose selectors all match `unreachableSelector`. Other rules,
 * at-rules and nested rules are left as they are.
 */
export function dropUnreachableRules(text) {
  const open = text.indexOf('`');
  const close = text.lastIndexOf('`');
  if (open < 0 || close <= open) return text;
  const css = text.slice(open + 1, close);
  // An interpolated template would need evaluating first; the theme's token files have none.
  if (css.includes('${')) throw new Error('slim-spectrum: cannot walk a css template with interpolations');
  let out = '';
  let copied = 0;
  let preludeStart = 0;
  for (let i = 0; i < css.length; i++) {
    if (css[i] === ';' || css[i] === '}') {
      preludeStart = i + 1;
    } else if (css[i] === '{') {
      const end = blockEnd(css, i);
      const selectors = css.slice(preludeStart, i).split(',');
      if (selectors.every((selector) => unreachableSelector.test(selector.trim()))) {
        out += css.slice(copied, preludeStart);
        copied = end + 1;
      }
      i = end;
      preludeStart = end + 1;
    }
  }
  out += css.slice(copied);
  return text.slice(0, open + 1) + out + text.slice(close);
}

/** The index of the `}` that closes the block opened at `from`. */
function blockEnd(css, from) {
  let depth = 0;
  for (let i = from; i < css.length; i++) {
    if (css[i] === '{') depth++;
    else if (css[i] === '}' && --depth === 0) return i;
  }
  throw new Error('slim-spectrum: unbalanced braces in a css template');
}

/**
 * Prunes the token files' custom properties to those something kept reads (see 2.): the seeds (names in the rest of
 * the bundle), every name the token files mention outside their own declarations (the theme's own rules), and then,
 * until nothing new is reached, every name a kept token's value mentions. Returns the rewritten sources, keyed like
 * `sources`.
 */
export function pruneTokens(sources, seeds) {
  const used = new Set(seeds);
  const declarations = [];
  for (const text of sources.values()) {
    for (const m of text.matchAll(declarationRe)) declarations.push([m[1], m[2]]);
    for (const name of namesIn([text.replace(declarationRe, '')])) used.add(name);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, value] of declarations) {
      if (!used.has(name)) continue;
      for (const ref of value.match(nameRe) ?? []) {
        if (!used.has(ref)) {
          used.add(ref);
          grew = true;
        }
      }
    }
  }
  const pruned = new Map();
  for (const [path, text] of sources) {
    pruned.set(
      path,
      text.replace(declarationRe, (whole, name) => (used.has(name) ? whole : '')),
    );
  }
  return pruned;
}

/**
 * The esbuild plugin. Without `tokens` it only leaves out the unused lazy modules (build.mjs's first pass, whose
 * metafile lists what is bundled); with `tokens` (the bundled token files, and the texts whose `--names` count as
 * used: everything else bundled plus the panel's stylesheet) it also prunes the tokens.
 */
export function slimSpectrum({ tokens } = {}) {
  let pruned = null;
  const hooksSet = tokens ? hooksSetIn([...tokens.seedTexts]) : null;
  return {
    name: 'slim-spectrum',
    setup(build) {
      build.onResolve(
        { filter: /^@spectrum-web-components\/(number-field|overlay|tooltip)\/sp-[\w-]+\.js$/ },
        (args) =>
          unusedLazyModules.includes(args.path) ? { path: args.path, namespace: 'unused-lazy-module' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'unused-lazy-module' }, () => ({ contents: 'export {};', loader: 'js' }));
      if (!tokens) return;
      build.onLoad({ filter: spectrumStylesheet }, async (args) => {
        let text;
        if (tokenFile.test(args.path)) {
          // All token files are pruned together: a token kept in one may be declared in another.
          pruned ??= (async () => {
            const sources = new Map();
            for (const path of tokens.files) sources.set(path, dropUnreachableRules(await readFile(path, 'utf8')));
            return pruneTokens(sources, namesIn(tokens.seedTexts));
          })();
          text = (await pruned).get(args.path);
          if (text === undefined) throw new Error(`token file ${args.path} was not in the first pass`);
        } else {
          text = await readFile(args.path, 'utf8');
        }
        return { contents: unwrapUnsetHooks(text, hooksSet), loader: 'js' };
      });
    },
  };
}
