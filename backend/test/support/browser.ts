import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { startTestBackend, type TestBackend } from './harness.ts';

/** Headless Chromium from the system package (CI installs it with apt), driven through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export interface ServedBackend {
  readonly t: TestBackend;
  /** `http://127.0.0.1:<port>`, which is also the backend's `PUBLIC_BASE_URL` (CSRF checks compare with it). */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * The real backend graph on a real port, for a real browser. The port is taken first and the backend built
 * after, so `PUBLIC_BASE_URL` names the very origin the browser uses.
 */
export async function serveTestBackend(overrides: Record<string, string> = {}): Promise<ServedBackend> {
  let app: TestBackend['backend']['app'] | undefined;
  const server = serve({
    // The node-server bindings (`env`) carry the socket, which the per-IP rate limits read.
    fetch: (request, env) => (app ? app.fetch(request, env) : new Response('starting', { status: 503 })),
    port: 0,
    hostname: '127.0.0.1',
  });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const t = await startTestBackend({ PUBLIC_BASE_URL: origin, ...overrides });
  app = t.backend.app;
  return {
    t,
    origin,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await t.close();
    },
  };
}
