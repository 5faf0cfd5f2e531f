import type { OpenApiOperation } from './openapi-document.ts';

type Schema = { properties?: Record<string, { contentMediaType?: string }>; oneOf?: Schema[] };

/** Single-quotes a shell word. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** `{teamId}` → `$TEAM_ID`; a bare `{id}` is named after its collection (`/tasks/{id}` → `$TASK_ID`). */
function variableOf(name: string, before: string | undefined): string {
  const base = name === 'id' && before ? `${before.replace(/s$/, '')}Id` : name;
  return `$${base
    .replace(/[A-Z]/g, (ch) => `_${ch}`)
    .replace(/-/g, '_')
    .toUpperCase()}`;
}

function urlOf(path: string, publicBaseUrl: string): string {
  const segments = path.split('/');
  const filled = segments.map((segment, i) => {
    const param = /^\{(.+)\}$/.exec(segment)?.[1];
    return param ? variableOf(param, segments[i - 1]) : segment;
  });
  return `${publicBaseUrl}${filled.join('/')}`;
}

function authOf(op: OpenApiOperation, method: string, publicBaseUrl: string): string[] {
  const scheme = Object.keys(op.security[0] ?? {})[0];
  if (scheme === 'bearer') return ['-H "Authorization: Bearer $LUMINA_API_KEY"'];
  if (scheme === 'removeBgKey') return ['-H "X-Api-Key: $LUMINA_API_KEY"'];
  if (scheme === 'session') {
    // A cookie-authenticated change must state the dashboard's origin (CSRF defence).
    const origin = method === 'get' ? [] : [`-H ${quote(`Origin: ${new URL(publicBaseUrl).origin}`)}`];
    return ['-H "Cookie: lumina_session=$LUMINA_SESSION"', ...origin];
  }
  return [];
}

const fileFields = (schema: Schema): Set<string> =>
  new Set(
    [schema, ...(schema.oneOf ?? [])].flatMap((s) =>
      Object.entries(s.properties ?? {})
        .filter(([, field]) => field.contentMediaType !== undefined)
        .map(([name]) => name),
    ),
  );

/** The body's arguments for one named example: form fields (`-F`, files as `@name`) or JSON (`-d`). */
function bodyOf(type: string, schema: Schema, value: unknown): string[] {
  if (type === 'multipart/form-data') {
    const files = fileFields(schema);
    return Object.entries(value as Record<string, unknown>).map(([name, field]) =>
      files.has(name) ? `-F ${quote(`${name}=@${String(field)}`)}` : `-F ${quote(`${name}=${String(field)}`)}`,
    );
  }
  return [`-H 'Content-Type: application/json'`, `-d ${quote(JSON.stringify(value))}`];
}

/**
 * One curl command per named request example (or one, when the operation takes no body), for the reference page
 * and the generated document's `x-codeSamples`. Variables (`$LUMINA_API_KEY`, `$TASK_ID`) stand for what the
 * reader fills in.
 */
export function codeSamplesOf(
  method: string,
  path: string,
  op: OpenApiOperation,
  publicBaseUrl: string,
): NonNullable<OpenApiOperation['x-codeSamples']> {
  const verb = method === 'get' ? '' : ` -X ${method.toUpperCase()}`;
  const command = (args: string[]) => [`curl${verb} "${urlOf(path, publicBaseUrl)}"`, ...args].join(' \\\n  ');
  if (path.endsWith('/*')) {
    // A result is fetched from the signed URL the task answered with, not from a URL put together by hand.
    return [{ lang: 'Shell', label: 'curl', source: 'curl -o result.png "$RESULT_URL"' }];
  }
  const auth = authOf(op, method, publicBaseUrl);
  const content = Object.entries(op.requestBody?.content ?? {}).sort(([a]) => (a === 'multipart/form-data' ? -1 : 1));
  const [type, media] = content[0] ?? [];
  const examples = Object.values(media?.examples ?? {});
  if (!type || !media || examples.length === 0) return [{ lang: 'Shell', label: 'curl', source: command(auth) }];
  return examples.map((example) => ({
    lang: 'Shell',
    label: `curl: ${example.summary ?? type}`,
    source: command([...auth, ...bodyOf(type, media.schema as Schema, example.value)]),
  }));
}
