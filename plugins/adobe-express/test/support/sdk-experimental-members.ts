import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import ts from 'typescript';

/** One member of an SDK class or interface whose JSDoc carries `@experimental`. */
export interface ExperimentalMember {
  readonly file: string;
  readonly owner: string;
  readonly member: string;
}

export interface SdkExperimentalSurface {
  /** Members tagged `@experimental`, where they are declared. */
  readonly members: readonly ExperimentalMember[];
  /** Whole declarations (interfaces, enums) tagged `@experimental`. */
  readonly types: ReadonlyArray<{ readonly file: string; readonly name: string }>;
  /** Class or interface → experimental members, its ancestors' included (what a fake of that class must refuse). */
  readonly membersByType: Record<string, string[]>;
  /** Class or interface → the names it extends or implements, per file. */
  readonly parents: Record<string, string[]>;
  /** Non-experimental members whose declared type mentions an experimental type (should be none). */
  readonly typeLeaks: string[];
}

const typingsFiles = {
  document: 'sandbox/express-document-sdk.d.ts',
  ui: 'ui/ui-sdk.d.ts',
  sandbox: 'sandbox/add-on-sdk-document-sandbox.d.ts',
} as const;

const isExperimental = (node: ts.Node) => ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'experimental');

/**
 * Reads the installed `@adobe/ccweb-add-on-sdk-types` declaration files and lists what their JSDoc marks
 * `@experimental`, so the fakes refuse exactly what this SDK version keeps from production add-ons.
 */
export function sdkExperimentalSurface(): SdkExperimentalSurface {
  const require = createRequire(import.meta.url);
  // The package exports only its type entry points; its folder is that of `index.d.ts`.
  const root = `${dirname(require.resolve('@adobe/ccweb-add-on-sdk-types'))}/`;
  const members: ExperimentalMember[] = [];
  const types: Array<{ file: string; name: string }> = [];
  const own: Record<string, Set<string>> = {};
  const parents: Record<string, string[]> = {};
  const typeLeakCandidates: Array<{ where: string; typeText: string }> = [];

  for (const file of Object.values(typingsFiles)) {
    const source = ts.createSourceFile(file, readFileSync(root + file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      const declaration =
        ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isEnumDeclaration(node) ? node : null;
      const name = declaration?.name?.text;
      if (declaration && name) {
        if (isExperimental(declaration)) types.push({ file, name });
        if (!ts.isEnumDeclaration(declaration)) {
          parents[name] = [
            ...(parents[name] ?? []),
            ...(declaration.heritageClauses ?? []).flatMap((clause) =>
              clause.types.map((type) => type.expression.getText(source)),
            ),
          ];
          for (const member of declaration.members) {
            const memberName = member.name?.getText(source);
            if (!memberName) continue;
            if (isExperimental(member)) {
              members.push({ file, owner: name, member: memberName });
              own[name] = (own[name] ?? new Set()).add(memberName);
            } else if (!isExperimental(declaration)) {
              const typed = member as ts.Node & {
                type?: ts.TypeNode;
                parameters?: ts.NodeArray<ts.ParameterDeclaration>;
              };
              const texts = [typed.type, ...(typed.parameters ?? []).map((p) => p.type)].flatMap((t) =>
                t ? [t.getText(source)] : [],
              );
              for (const typeText of texts) typeLeakCandidates.push({ where: `${name}.${memberName}`, typeText });
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }

  const membersByType: Record<string, string[]> = {};
  const collect = (name: string, seen: Set<string>): Set<string> => {
    if (seen.has(name)) return new Set();
    seen.add(name);
    const all = new Set(own[name] ?? []);
    for (const parent of parents[name] ?? []) for (const member of collect(parent, seen)) all.add(member);
    return all;
  };
  for (const name of Object.keys(parents)) membersByType[name] = [...collect(name, new Set())].sort();

  const typeLeaks = typeLeakCandidates
    .filter(({ typeText }) => types.some((type) => new RegExp(`\\b${type.name}\\b`).test(typeText)))
    .map(({ where, typeText }) => `${where}: ${typeText}`);
  return { members, types, membersByType, parents, typeLeaks };
}

/** Whether `name` is `ancestor` or extends/implements it, by the typings' heritage clauses. */
export function isSdkSubtype(surface: SdkExperimentalSurface, name: string, ancestor: string): boolean {
  if (name === ancestor) return true;
  return (surface.parents[name] ?? []).some((parent) => isSdkSubtype(surface, parent, ancestor));
}
