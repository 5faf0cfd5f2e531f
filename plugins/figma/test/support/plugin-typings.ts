import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * What the installed `@figma/plugin-typings` declare, read at test time, so the fake Figma refuses exactly what
 * the real one does not offer: a member the typings do not declare, or a global the main thread does not have.
 */
const typingsDir = dirname(createRequire(import.meta.url).resolve('@figma/plugin-typings/package.json'));
const read = (file: string) => readFileSync(join(typingsDir, file), 'utf8');

/** The member names of one top-level interface of `plugin-api.d.ts` (`PluginAPI`, `UIAPI`, …). */
export function declaredMembers(interfaceName: string): ReadonlySet<string> {
  const source = read('plugin-api.d.ts');
  const start = source.search(new RegExp(`^interface ${interfaceName}\\b[^{]*\\{`, 'm'));
  if (start < 0) throw new Error(`interface ${interfaceName} is not in the installed typings`);
  const end = source.indexOf('\n}', start);
  const members = new Set<string>();
  for (const match of source.slice(start, end).matchAll(/^ {2}(?:readonly )?([A-Za-z_$][\w$]*)\??\s*[:(<]/gm)) {
    if (match[1]) members.add(match[1]);
  }
  return members;
}

/** The globals Figma's main thread has, as `index.d.ts` declares them (`figma`, `__html__`, timers, `fetch`…). */
export function mainThreadGlobals(): ReadonlySet<string> {
  const source = read('index.d.ts');
  const block = source.slice(source.indexOf('declare global {'));
  return new Set(
    [...block.matchAll(/^ {2}(?:const|function|let|var) ([A-Za-z_$][\w$]*)/gm)].flatMap((m) => (m[1] ? [m[1]] : [])),
  );
}

/**
 * `target` as plugin code sees it: reading a member its interface does not declare throws, as a `TypeError`
 * from calling it in Figma would. Functions stay bound to the fake.
 */
export function strictView<T extends object>(target: T, interfaceName: string, nested: Record<string, string> = {}): T {
  const members = declaredMembers(interfaceName);
  return new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property !== 'string') return Reflect.get(object, property, receiver);
      if (!members.has(property)) throw new TypeError(`${interfaceName}.${property} is not part of Figma's Plugin API`);
      const value: unknown = Reflect.get(object, property, object);
      const inner = nested[property];
      if (inner && typeof value === 'object' && value !== null) return strictView(value, inner);
      return typeof value === 'function' ? value.bind(object) : value;
    },
    set(object, property, value) {
      if (typeof property === 'string' && !members.has(property)) {
        throw new TypeError(`${interfaceName}.${property} is not part of Figma's Plugin API`);
      }
      return Reflect.set(object, property, value, object);
    },
  });
}
