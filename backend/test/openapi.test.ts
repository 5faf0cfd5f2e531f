import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../src/openapi/openapi-document.ts';
import { signUpBrowser } from './support/accounts.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;
let doc: OpenApiDocument;

beforeAll(async () => {
  t = await startTestBackend({}, { background: false });
  doc = (await (await t.request('/api/v1/openapi.json')).json()) as OpenApiDocument;
});
afterAll(async () => {
  await t?.close();
});

type Op = {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
};
const operation = (method: string, path: string): Op => {
  const op = (doc.paths[path] as Record<string, Op> | undefined)?.[method];
  if (!op) throw new Error(`${method} ${path} is not documented`);
  return op;
};

/** Validates a real answer against the schema the document gives for its status. */
async function expectDocumented(method: string, path: string, res: Response) {
  const op = operation(method, path);
  const schema = op.responses[String(res.status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no JSON body for ${res.status}`);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')));
  const body: unknown = await res.json();
  const valid = validate(body);
  expect(valid ? [] : validate.errors).toEqual([]);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a unique operationId on every operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ids = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods as Record<string, Op>).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(20);
  });

  it('documents exactly the routes the app serves', () => {
    const served = new Set(
      t.backend.app.routes
        .filter((r) => r.method !== 'ALL' && /^\/(api|files|healthz|readyz|metrics|v1\.0)/.test(r.path))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods as object).map((method) => `${method} ${path}`),
      ),
    );
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
  });

  it('describes the answers the API really gives', async () => {
    await expectDocumented('get', '/api/v1/capabilities', await t.request('/api/v1/capabilities'));

    const team = await t.newTeam(5);
    const submitted = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(fixture('horse.png')),
    });
    expect(submitted.status).toBe(202);
    const { taskId } = (await submitted.clone().json()) as { taskId: string };
    await expectDocumented('post', '/api/v1/process', submitted);
    await expectDocumented(
      'get',
      '/api/v1/tasks/{id}',
      await t.request(`/api/v1/tasks/${taskId}`, { headers: team.auth }),
    );
    await expectDocumented('get', '/api/v1/tasks', await t.request('/api/v1/tasks', { headers: team.auth }));
    await expectDocumented(
      'post',
      '/api/v1/tasks/{id}/cancel',
      await t.request(`/api/v1/tasks/${taskId}/cancel`, { method: 'POST', headers: team.auth }),
    );

    const refused = await t.request('/api/v1/tasks');
    expect(refused.status).toBe(401);
    await expectDocumented('get', '/api/v1/tasks', refused);

    const pairing = await t.request('/api/v1/pairings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client: 'figma' }),
    });
    await expectDocumented('post', '/api/v1/pairings', pairing);

    const browser = await signUpBrowser(t);
    await expectDocumented('get', '/api/v1/me', await t.request('/api/v1/me', { headers: browser.headers() }));

    const asJson = (method: string, body?: unknown) => ({
      method,
      headers: browser.headers({ 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const created = await t.request('/api/v1/webhooks', asJson('POST', { url: 'https://hooks.example.com/lumina' }));
    expect(created.status).toBe(201);
    const { id } = (await created.clone().json()) as { id: string };
    await expectDocumented('post', '/api/v1/webhooks', created);
    await expectDocumented('get', '/api/v1/webhooks', await t.request('/api/v1/webhooks', asJson('GET')));
    const rotated = await t.request(`/api/v1/webhooks/${id}`, asJson('PATCH', { rotateSecret: true }));
    await expectDocumented('patch', '/api/v1/webhooks/{id}', rotated);
    await expectDocumented(
      'post',
      '/api/v1/webhooks/{id}/test',
      await t.request(`/api/v1/webhooks/${id}/test`, asJson('POST')),
    );
    await expectDocumented(
      'get',
      '/api/v1/webhooks/{id}/deliveries',
      await t.request(`/api/v1/webhooks/${id}/deliveries`, asJson('GET')),
    );
    const refusedUrl = await t.request('/api/v1/webhooks', asJson('POST', { url: 'http://127.0.0.1/hook' }));
    expect(refusedUrl.status).toBe(400);
    await expectDocumented('post', '/api/v1/webhooks', refusedUrl);
  });

  it('lists the error codes each route can answer with', () => {
    const process = operation('post', '/api/v1/process');
    expect(Object.keys(process.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '401', '402', '413']));
  });
});

describe('the reference page', () => {
  it('renders every operation, offline: no script and no external asset', async () => {
    const res = await t.request('/api/v1/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|\bsrc=|@import|url\(/i);
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods as Record<string, Op>)) expect(html).toContain(`id="${op.operationId}"`);
    }
  });

  it('may not be framed, links back to the dashboard, and names each request example with its curl command', async () => {
    const res = await t.request('/api/v1/docs');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('<a href="/">← Back to the dashboard</a>');
    const process = doc.paths['/api/v1/process']?.post as unknown as {
      requestBody: { content: Record<string, { schema: { oneOf: { title?: string }[] }; examples: object }> };
      'x-codeSamples': { label: string; source: string }[];
    };
    const form = process.requestBody.content['multipart/form-data'];
    expect(form?.schema.oneOf.map((variant) => variant.title)).toEqual([
      'Remove the background',
      'Upscale',
      'Magic edit (instruction)',
    ]);
    expect(process['x-codeSamples'].length).toBe(Object.keys(form?.examples ?? {}).length);
    for (const sample of process['x-codeSamples']) {
      expect(sample.source).toMatch(/^curl -X POST "http[^"]+\/api\/v1\/process"/);
      expect(html).toContain(sample.label.replaceAll("'", '&#39;'));
    }
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods as Record<string, { 'x-codeSamples'?: unknown[] }>)) {
        expect(op['x-codeSamples']?.length).toBeGreaterThan(0);
      }
    }
  });
});
