import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { serve } from '@hono/node-server';
import { PairingCreated, PairingToken, SignUpResponse } from '@lumina/shared';
import * as esbuild from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { TestBackend } from '../../../../backend/test/support/harness.ts';
import type { FakeHostConfig, FakeNodeSpec } from './fake-host/fake-host-config.ts';
import { sdkExperimentalSurface } from './sdk-experimental-members.ts';

export const uiSdkUrl = 'https://new.express.adobe.com/static/add-on-sdk/sdk.js';

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * The backend over real HTTP for the browser. It listens before the backend exists, so the backend can be started
 * with its own address as PUBLIC_BASE_URL (result URLs and pairing links then point where the browser can go).
 */
export async function serveBackendLater() {
  let app: { fetch(request: Request): Response | Promise<Response> } | undefined;
  const server = serve({
    fetch: (request) => (app ? app.fetch(request) : new Response('starting', { status: 503 })),
    port: 0,
    hostname: '127.0.0.1',
  }) as Server;
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    attach(next: { fetch(request: Request): Response | Promise<Response> }) {
      app = next;
    },
    close: () => closeServer(server),
  };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
};

/** The built add-on folder over HTTP, as Express serves an add-on from its own origin. */
export async function serveFolder(dir: string) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(dir, path || 'index.html');
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  const origin = await listen(server);
  return { origin, close: () => closeServer(server) };
}

/** The fake UI SDK as one ES module, served in place of Express's. */
export async function bundleFakeSdk(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'fake-host/fake-ui-sdk.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('the fake SDK did not bundle');
  return output.text;
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });

/** Read once per test file: the installed SDK's experimental members, which the fake host refuses. */
const experimentalMembers = sdkExperimentalSurface().membersByType;

export const defaultHostConfig = (
  overrides: Partial<FakeHostConfig> & Pick<FakeHostConfig, 'pagePngBase64'>,
): FakeHostConfig => ({
  experimental: { membersByType: experimentalMembers, allowed: false },
  page: { width: 800, height: 600 },
  nodes: [],
  storage: {},
  theme: 'light',
  exportAllowed: true,
  premiumUser: false,
  pageHasPremiumContent: false,
  ...overrides,
});

/** Opens the built panel in a fresh browser context with the fake Express host around it. */
export async function openPanel(browser: Browser, addonOrigin: string, sdkJs: string, config: FakeHostConfig) {
  const context = await browser.newContext();
  await context.route(uiSdkUrl, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/javascript',
      headers: { 'access-control-allow-origin': '*' },
      body: sdkJs,
    }),
  );
  await context.addInitScript((value) => {
    (globalThis as unknown as { __fakeExpressConfig: unknown }).__fakeExpressConfig = value;
  }, config);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${addonOrigin}/index.html`);
  return { page, context, errors };
}

/** A page rendition: a white page of `page` size with each image composited at its place. */
export async function renderPage(
  page: { width: number; height: number },
  images: Array<{ png: Buffer; x: number; y: number }>,
): Promise<string> {
  const png = await sharp({ create: { ...page, channels: 4, background: '#ffffff' } })
    .composite(images.map((image) => ({ input: image.png, left: image.x, top: image.y })))
    .png()
    .toBuffer();
  return png.toString('base64');
}

export const solid = (width: number, height: number, rgb: { r: number; g: number; b: number }) =>
  sharp({ create: { width, height, channels: 3, background: rgb } })
    .png()
    .toBuffer();

/** A person signed up through the API, from the dashboard's origin (the backend's PUBLIC_BASE_URL). */
export async function signUp(t: TestBackend, origin: string) {
  const email = `express-${randomBytes(4).toString('hex')}@example.com`;
  const res = await t.request('/api/v1/auth/sign-up', {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: `correct horse ${randomBytes(4).toString('hex')}`, name: 'Express user' }),
  });
  expect(res.status).toBe(201);
  const body = SignUpResponse.parse(await res.json());
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('lumina_session='))
    ?.split(';')[0];
  if (!cookie) throw new Error('sign-up set no session cookie');
  return { teamId: body.personalTeamId, headers: { origin, cookie, 'content-type': 'application/json' } };
}

export type SignedUp = Awaited<ReturnType<typeof signUp>>;

/** The dashboard approving a pairing code for the person's team. */
export async function approvePairing(t: TestBackend, person: SignedUp, userCode: string) {
  const res = await t.request(`/api/v1/pairings/${userCode}/approve`, {
    method: 'POST',
    headers: person.headers,
    body: JSON.stringify({ teamId: person.teamId }),
  });
  expect(res.status).toBe(200);
}

/** A plugin token for the person's team, paired through the API as the add-on would. */
export async function pluginToken(t: TestBackend, person: SignedUp): Promise<string> {
  const started = await t.request('/api/v1/pairings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client: 'adobe-express', label: 'test' }),
  });
  const pairing = PairingCreated.parse(await started.json());
  await approvePairing(t, person, pairing.userCode);
  const polled = await t.request('/api/v1/pairings/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pollSecret: pairing.pollSecret }),
  });
  expect(polled.status).toBe(200);
  return PairingToken.parse(await polled.json()).token;
}

export interface DocumentNodeState {
  id: string;
  name: string | null;
  type: string;
  bounds: { x: number; y: number; width: number; height: number };
  luminaTaskId: string | null;
  bitmap: { width: number; height: number; base64: string } | null;
}

/** Calls one of the fake host's controls (`window.fakeExpress`) in the page. */
export const fakeExpress = <T>(page: Page, method: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(
    ([name, values]) => {
      const controls = (globalThis as unknown as { fakeExpress: Record<string, (...a: unknown[]) => unknown> })
        .fakeExpress;
      const control = controls[name as string];
      if (!control) throw new Error(`no fake control ${String(name)}`);
      return control(...(values as unknown[]));
    },
    [method, args] as const,
  ) as Promise<T>;

export const documentState = (page: Page) => fakeExpress<DocumentNodeState[]>(page, 'documentState');

export interface AddedImage {
  title: string;
  nodeAddOnData: Record<string, string>;
  base64: string;
}
export const addedImages = (page: Page) => fakeExpress<AddedImage[]>(page, 'added');

export type { FakeNodeSpec };
