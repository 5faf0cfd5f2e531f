import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createLogger } from '@lumina/runtime';
import { SignUpResponse } from '@lumina/shared';
import { startEditWorker } from '../../backend/src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../../backend/src/edit/edit-worker-config.ts';
import { type GeminiStandIn, startGeminiStandIn } from '../../backend/test/support/gemini-stand-in.ts';
import { startTestBackend, type TestBackend } from '../../backend/test/support/harness.ts';

/**
 * The test backend listening on a real port of 127.0.0.1, for clients that speak HTTP (the typed client, a
 * plugin UI in Chromium). `PUBLIC_BASE_URL` is that origin, so signed result URLs can be fetched too.
 */
export interface ServedBackend {
  readonly t: TestBackend;
  readonly origin: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function serveBackend(
  overrides: Record<string, string> = {},
  start: (env: Record<string, string>) => Promise<TestBackend> = startTestBackend,
): Promise<ServedBackend> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t = await start({ PUBLIC_BASE_URL: origin, ...overrides });
  const server = serve({ fetch: t.backend.app.fetch, port, hostname: '127.0.0.1' });
  return {
    t,
    origin,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}

/**
 * A person signed up from the dashboard (same origin as the API here), who can approve a plugin's pairing for
 * their personal team.
 */
export async function signUpAndApprover(served: ServedBackend) {
  const email = `figma-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await served.t.request('/api/v1/auth/sign-up', {
    method: 'POST',
    headers: { origin: served.origin, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery', name: 'Grace' }),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}`);
  const body = SignUpResponse.parse(await res.json());
  const cookie = res.headers
    .getSetCookie()
    .map((line) => line.match(/^lumina_session=([^;]*)/)?.[1])
    .find(Boolean);
  if (!cookie) throw new Error('sign-up set no session cookie');
  return {
    personalTeamId: body.personalTeamId,
    async approve(userCode: string) {
      const answer = await served.t.request(`/api/v1/pairings/${userCode}/approve`, {
        method: 'POST',
        headers: { origin: served.origin, cookie: `lumina_session=${cookie}`, 'content-type': 'application/json' },
        body: JSON.stringify({ teamId: body.personalTeamId }),
      });
      if (answer.status !== 200) throw new Error(`approve answered ${answer.status}: ${await answer.text()}`);
    },
  };
}

/**
 * A served backend whose magic edits really complete: an in-process edit worker, with Gemini replaced by its
 * wire-protocol stand-in. What the clients' tests (typed client, plugin UIs) run against when no model is needed.
 */
export interface EditingBackend extends ServedBackend {
  readonly gemini: GeminiStandIn;
}

export async function serveEditingBackend(options: {
  geminiKey: string;
  priceMagicEdit: number;
  overrides?: Record<string, string>;
}): Promise<EditingBackend> {
  const gemini = await startGeminiStandIn(options.geminiKey);
  const served = await serveBackend({
    GEMINI_API_KEY: options.geminiKey,
    GEMINI_BASE_URL: gemini.url,
    PRICE_MAGIC_EDIT: String(options.priceMagicEdit),
    ...options.overrides,
  });
  const worker = startEditWorker({
    config: loadEditWorkerConfig(served.t.env),
    store: served.t.backend.ctx.store,
    log: createLogger('edit-worker', { silent: true }),
  });
  await worker.ready;
  // No gpu-worker runs beside it: its heartbeat lists remove-background and upscale, whose tasks wait queued.
  await served.t.announceGpuWorker();
  return {
    ...served,
    gemini,
    async close() {
      await worker.close();
      await served.close();
      await gemini.close();
    },
  };
}
