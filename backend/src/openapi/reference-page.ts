import type { OpenApiDocument, OpenApiOperation } from './openapi-document.ts';

type Schema = {
  title?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  description?: string;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  contentMediaType?: string;
  $ref?: string;
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
/** Backticks in descriptions become <code>, the rest is escaped. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, (_, code: string) => `<code>${code}</code>`);

function typeOf(schema: Schema): string {
  if (schema.$ref) return schema.$ref.split('/').pop() ?? 'object';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.oneOf || schema.anyOf) return (schema.oneOf ?? schema.anyOf ?? []).map(typeOf).join(' | ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  if (schema.contentMediaType) return 'file';
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  return schema.format ? `${type} (${schema.format})` : type;
}

function notes(schema: Schema): string {
  const parts: string[] = [];
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.minLength !== undefined) parts.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`max length ${schema.maxLength}`);
  if (schema.pattern) parts.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  if (schema.description) parts.push(prose(schema.description));
  return parts.join('; ');
}

/** An object schema as a nested list of its fields; alternatives (oneOf) one after another. */
function fields(schema: Schema, depth = 0): string {
  if (depth > 4) return '';
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.every((s) => s.properties)) {
    return alternatives
      .map((alt, i) => `<p class="alt">${escapeHtml(alt.title ?? `Variant ${i + 1}`)}</p>${fields(alt, depth)}`)
      .join('');
  }
  const target = schema.type === 'array' && schema.items ? schema.items : schema;
  if (!target.properties) return '';
  const required = new Set(target.required ?? []);
  const rows = Object.entries(target.properties).map(([name, field]) => {
    const inner = field.properties || field.items?.properties ? fields(field, depth + 1) : '';
    return `<li><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''} <span class="type">${escapeHtml(typeOf(field))}</span>${notes(field) ? ` — ${notes(field)}` : ''}${inner}</li>`;
  });
  return `<ul>${rows.join('')}</ul>`;
}

type Operation = OpenApiOperation;

/** Each named request example: its name, then its value. */
function examplesHtml(examples: Record<string, { summary?: string; value: unknown }> | undefined): string {
  const named = Object.entries(examples ?? {});
  if (named.length === 0) return '';
  return `<ul class="examples">${named
    .map(
      ([name, example]) =>
        `<li>${prose(example.summary ?? name)}<pre><code>${escapeHtml(JSON.stringify(example.value, null, 2))}</code></pre></li>`,
    )
    .join('')}</ul>`;
}

/** The operation's curl commands (`x-codeSamples`), one per named example. */
function samplesHtml(op: Operation): string {
  const samples = op['x-codeSamples'] ?? [];
  if (samples.length === 0) return '';
  return `<h4>Try it</h4>${samples
    .map(
      (sample) =>
        `<p class="media">${escapeHtml(sample.label)}</p><pre><code>${escapeHtml(sample.source)}</code></pre>`,
    )
    .join('')}`;
}

function operationHtml(method: string, path: string, op: Operation): string {
  const auth = op.security.length === 0 ? 'none' : op.security.map((s) => Object.keys(s).join('+')).join(' or ');
  const params = op.parameters?.length
    ? `<h4>Parameters</h4><ul>${op.parameters
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> <span class="type">${p.in}${p.schema ? `, ${escapeHtml(typeOf(p.schema))}` : ''}</span>${p.required ? ' <span class="req">required</span>' : ''}</li>`,
        )
        .join('')}</ul>`
    : '';
  const body = op.requestBody
    ? `<h4>Request body</h4>${Object.entries(op.requestBody.content)
        .map(
          ([type, media]) =>
            `<p class="media">${escapeHtml(type)}</p>${fields(media.schema as Schema)}${examplesHtml(media.examples)}`,
        )
        .join('')}`
    : '';
  const responses = Object.entries(op.responses)
    .map(([status, response]) => {
      const media = Object.entries(response.content ?? {})[0];
      const shape = media?.[1].schema ? fields(media[1].schema as Schema) : '';
      return `<li><span class="status s${status[0]}">${status}</span> ${prose(response.description)}${media ? ` <span class="type">${escapeHtml(media[0])}</span>` : ''}${shape}</li>`;
    })
    .join('');
  return `<section class="op" id="${escapeHtml(op.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${prose(op.summary)}.${op.description ? ` ${prose(op.description)}` : ''}</p>
<p class="auth">Authentication: ${escapeHtml(auth)}</p>
${params}${body}${samplesHtml(op)}<h4>Responses</h4><ul class="responses">${responses}</ul>
</section>`;
}

/** A readable, self-contained reference (no script, no external asset) rendered from the OpenAPI document. */
export function renderReferencePage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as Operation })),
  );
  const sections = doc.tags
    .map((tag) => {
      const ops = operations.filter((o) => o.op.tags.includes(tag.name));
      if (ops.length === 0) return '';
      const toc = ops
        .map(
          (o) =>
            `<li><a href="#${escapeHtml(o.op.operationId)}">${o.method.toUpperCase()} ${escapeHtml(o.path)}</a></li>`,
        )
        .join('');
      return `<h2 id="tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</h2><p>${prose(tag.description)}</p><ul class="toc">${toc}</ul>${ops.map((o) => operationHtml(o.method, o.path, o.op)).join('')}`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} — reference</title>
<style>
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#5b5b66;--line:#e3e3ea;--code:#f4f4f7;--accent:#4b3fd6}
@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--bg:#141418;--muted:#a3a3b0;--line:#2c2c35;--code:#1f1f26;--accent:#a49bff}}
body{font:15px/1.55 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0}
main{max-width:960px;margin:0 auto;padding:24px}
code{font:13px ui-monospace,monospace;background:var(--code);padding:1px 4px;border-radius:4px}
h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:40px;text-transform:capitalize}
.op{border:1px solid var(--line);border-radius:8px;padding:4px 16px;margin:16px 0}
.method{font:600 12px ui-monospace,monospace;padding:2px 6px;border-radius:4px;color:#fff;background:#555}
.get{background:#1f7a4d}.post{background:#2f5fd0}.patch{background:#9a6700}.delete{background:#b42318}
.type,.auth,.media,.alt{color:var(--muted)}.req{color:#b42318;font-size:12px}
.status{font:600 12px ui-monospace,monospace}.s2{color:#1f7a4d}.s4,.s5{color:#b42318}
a{color:var(--accent)}ul{padding-left:20px}
pre{background:var(--code);padding:8px 12px;border-radius:6px;overflow-x:auto}pre code{padding:0;background:none}
</style></head>
<body><main>
<p><a href="/">← Back to the dashboard</a> · <a href="/studio">Studio</a></p>
<h1>${escapeHtml(doc.info.title)}</h1>
<p>${prose(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">OpenAPI 3.1 document</a>. Base URL: <code>${escapeHtml(doc.servers[0]?.url ?? '')}</code>.</p>
<p>Errors always answer <code>{"error": {"code", "message", "requestId", "details"?}}</code>; clients switch on <code>code</code>.</p>
${sections}
</main></body></html>`;
}
