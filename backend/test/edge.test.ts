import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Capabilities, ErrorBody } from '@lumina/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeApp } from '../src/edge/edge-app.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';

// Cloudflare's runtime is not run here; the edge app is exercised in Node with the bindings it expects,
// in front of a real origin on loopback.
let t: TestBackend;
let origin: ReturnType<typeof serve>;
let env: { LUMINA_ORIGIN: string; LUMINA_SIGNING_SECRET: string };

beforeAll(async () => {
  t = await startTestBackend();
  origin = serve({ fetch: t.backend.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => origin.once('listening', () => resolve()));
  env = {
    LUMINA_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
    LUMINA_SIGNING_SECRET: t.env.LUMINA_SIGNING_SECRET ?? '',
  };
});
afterAll(async () => {
  origin?.close();
  await t?.close();
});

describe('the edge worker', () => {
  it('forwards API requests to the origin and passes its answers back', async () => {
    const edge = createEdgeApp();
    const caps = await edge.request('/api/v1/capabilities', {}, env);
    expect(caps.status).toBe(200);
    expect(Capabilities.parse(await caps.json()).operations[0]?.operation).toBe('remove-background');

    const unauthorized = await edge.request('/api/v1/tasks', { headers: { authorization: 'Bearer nope' } }, env);
    expect(unauthorized.status).toBe(401);
    expect(ErrorBody.parse(await unauthorized.json()).error.code).toBe('unauthorized');
  });
});
