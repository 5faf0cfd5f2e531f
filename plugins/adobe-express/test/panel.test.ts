import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@lumina/runtime';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EditWorker, startEditWorker } from '../../../backend/src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../../../backend/src/edit/edit-worker-config.ts';
import { grantCredits } from '../../../backend/src/services/billing/grant-credits.ts';
import { type GeminiStandIn, imageReply, startGeminiStandIn } from '../../../backend/test/support/gemini-stand-in.ts';
import { eventually, startTestBackend, type TestBackend } from '../../../backend/test/support/harness.ts';
import { addonRoot, buildAddon } from './support/build-addon.ts';
import type { FakeHostConfig } from './support/fake-host/fake-host-config.ts';
import {
  addedImages,
  approvePairing,
  bundleFakeSdk,
  defaultHostConfig,
  documentState,
  fakeExpress,
  launchChromium,
  openPanel,
  pluginToken,
  renderPage,
  serveBackendLater,
  serveFolder,
  signUp,
  solid,
} from './support/panel-harness.ts';
import { sdkExperimentalSurface } from './support/sdk-experimental-members.ts';

/** Committed beside the README: the panel as a designer sees it. */
const screenshotsDir = join(addonRoot, 'screenshots');

// The built panel in headless Chromium, inside a fake Express host (UI SDK, clientStorage, renditions, and a
// document sandbox running Lumina's real adapter over the fake document), against the real backend and the real
// edit worker; only Gemini is a local stand-in speaking its wire protocol.
const geminiKey = 'panel-test-gemini-key';
const red = { r: 220, g: 20, b: 20 };
const blue = { r: 20, g: 40, b: 220 };
const green = { r: 20, g: 200, b: 40 };
const orange = { r: 255, g: 140, b: 0 };

let gemini: GeminiStandIn;
let backendServer: Awaited<ReturnType<typeof serveBackendLater>>;
let t: TestBackend;
let worker: EditWorker;
let buildDir: string;
let addon: Awaited<ReturnType<typeof serveFolder>>;
let sdkJs: string;
let browser: Browser;
const opened: Array<{ close(): Promise<void> }> = [];
/** Uncaught errors in the panel's page during the current test. */
let pageErrors: string[] = [];

beforeAll(async () => {
  gemini = await startGeminiStandIn(geminiKey);
  backendServer = await serveBackendLater();
  t = await startTestBackend({
    PUBLIC_BASE_URL: backendServer.origin,
    GEMINI_API_KEY: geminiKey,
    GEMINI_BASE_URL: gemini.url,
    GEMINI_RETRY_BASE_MS: '20',
    PRICE_MAGIC_EDIT: '4',
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
  });
  backendServer.attach(t.backend.app);
  // No gpu-worker runs here; its heartbeat lists background removal, whose tasks then wait in the queue.
  await t.announceGpuWorker();
  worker = startEditWorker({
    config: loadEditWorkerConfig(t.env),
    store: t.backend.ctx.store,
    log: createLogger('edit', { silent: true }),
  });
  await worker.ready;
  buildDir = await buildAddon({ apiOrigin: backendServer.origin });
  addon = await serveFolder(join(buildDir, 'addon'));
  sdkJs = await bundleFakeSdk();
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of opened) await context.close();
  await browser?.close();
  await addon?.close();
  await worker?.close();
  await t?.close();
  await backendServer?.close();
  await gemini?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

afterEach(async () => {
  // Each panel is a whole Spectrum page; closing them as they finish keeps a 2-core machine responsive.
  for (const context of opened.splice(0)) await context.close();
  expect(pageErrors).toEqual([]);
  pageErrors = [];
});

async function personWithCredits(credits: number) {
  const person = await signUp(t, backendServer.origin);
  if (credits > 0) await grantCredits({ ctx: t.backend.ctx, input: { teamId: person.teamId, credits } });
  return person;
}

async function open(config: FakeHostConfig) {
  const panel = await openPanel(browser, addon.origin, sdkJs, config);
  opened.push(panel.context);
  pageErrors = panel.errors;
  return panel;
}

/** A signed-in panel: the token a pairing gave is already in the add-on's clientStorage. */
async function signedInPanel(credits: number, config: Omit<FakeHostConfig, 'storage'>) {
  const person = await personWithCredits(credits);
  const token = await pluginToken(t, person);
  const panel = await open({ ...config, storage: { 'lumina.token': token } });
  await expect
    .poll(() => panel.page.getByTestId('balance').textContent(), { timeout: 20_000 })
    .toBe(`${credits} credits`);
  return { ...panel, person, token };
}

const chooseOperation = (page: Page, operation: string) =>
  page.locator(`[data-testid="operations"] sp-action-button[value="${operation}"]`).click();

async function chooseMagicEdit(page: Page, prompt: string) {
  await chooseOperation(page, 'magic-edit');
  await page.locator('[data-testid="field-prompt"] textarea').fill(prompt);
}

const choosePlacement = (page: Page, placement: 'beside' | 'replace') =>
  page.locator(`[data-testid="placement"] sp-action-button[value="${placement}"]`).click();

const jobs = (page: Page) => page.getByTestId('job');
/** Jobs that came to a stop: a result waiting for Apply, applied, refused, failed or canceled. */
const settled = ['ready', 'done', 'not-placed', 'failed', 'canceled']
  .map((status) => `[data-testid="job"][data-status="${status}"]`)
  .join(', ');
const finished = (page: Page, count: number) =>
  expect.poll(async () => page.locator(settled).count(), { timeout: 60_000 }).toBe(count);

/** Applies every result that waits for it, one by one, and waits until none waits. */
async function applyAll(page: Page) {
  const ready = page.locator('[data-testid="job"][data-status="ready"]');
  const placing = page.locator('[data-testid="job"][data-status="placing"]');
  for (let count = await ready.count(); count > 0; count = await ready.count()) {
    await ready.first().getByTestId('apply').click();
    await expect.poll(() => ready.count()).toBe(count - 1);
  }
  // A job leaves 'ready' for 'placing' while the sandbox edits the document, and only then settles.
  await expect.poll(() => placing.count()).toBe(0);
}

const signOutFromMenu = async (page: Page) => {
  await page.getByTestId('account').click();
  await page.getByTestId('sign-out').click();
};

/** The mean colour of a PNG given as base64 or bytes. */
async function meanColour(png: Buffer) {
  const { channels } = await sharp(png).removeAlpha().stats();
  return {
    r: Math.round(channels[0]?.mean ?? 0),
    g: Math.round(channels[1]?.mean ?? 0),
    b: Math.round(channels[2]?.mean ?? 0),
  };
}
const near = (a: { r: number; g: number; b: number }, b: { r: number; g: number; b: number }) =>
  Math.abs(a.r - b.r) <= 6 && Math.abs(a.g - b.g) <= 6 && Math.abs(a.b - b.b) <= 6;

const oneImagePage = async (selected = true) => ({
  ...defaultHostConfig({
    pagePngBase64: await renderPage({ width: 800, height: 600 }, [{ png: await solid(200, 100, red), x: 100, y: 50 }]),
  }),
  nodes: [{ name: 'photo', kind: 'image' as const, x: 100, y: 50, width: 200, height: 100, selected }],
});

describe('signing in', () => {
  it('pairs through the verification page in a popup, keeps the token in clientStorage, and signs out', async () => {
    const person = await personWithCredits(3);
    const { page } = await open({ ...(await oneImagePage()), storage: {} });
    const popup = page.waitForEvent('popup');
    // The popup asks for the verification page (the dashboard may then send it on to sign in first).
    const verification = page
      .context()
      .waitForEvent('request', (request) => request.url().startsWith(`${backendServer.origin}/pair`));
    await page.getByTestId('sign-in').click();
    const userCode = (await page.getByTestId('user-code').textContent()) ?? '';
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    await popup;
    expect((await verification).url()).toBe(`${backendServer.origin}/pair?code=${userCode}`);

    await approvePairing(t, person, userCode);
    await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 20_000 }).toBe('3 credits');
    const stored = (await fakeExpress<Record<string, unknown>>(page, 'storage'))['lumina.token'];
    expect(typeof stored).toBe('string');
    const me = await t.request('/api/v1/me', { headers: { authorization: `Bearer ${stored}` } });
    expect(me.status).toBe(200);

    expect(await fakeExpress<string[]>(page, 'popupsBlocked')).toEqual([]);

    await signOutFromMenu(page);
    await expect.poll(() => page.getByTestId('sign-in').count()).toBe(1);
    expect(await fakeExpress<Record<string, unknown>>(page, 'storage')).toEqual({});
    const after = await t.request('/api/v1/me', { headers: { authorization: `Bearer ${stored}` } });
    expect(after.status).toBe(401);
  });
});

describe('processing the selection', () => {
  it('sends the selected image cropped from the page rendition and replaces it in place; the balance drops by the price', async () => {
    gemini.script(imageReply(await solid(400, 200, orange)));
    const { page, person } = await signedInPanel(10, await oneImagePage());
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('1 element selected (1 image)');
    await chooseMagicEdit(page, 'make it orange');
    await choosePlacement(page, 'replace');
    const requestsBefore = gemini.requests.length;
    await page.getByTestId('run').click();
    await finished(page, 1);
    expect(await jobs(page).first().getAttribute('data-status')).toBe('ready');
    // Nothing changes in the document until the person applies the result.
    expect((await documentState(page))[0]?.luminaTaskId).toBeNull();
    await applyAll(page);
    expect(await jobs(page).first().getAttribute('data-status')).toBe('done');
    const taskId = await jobs(page).first().getAttribute('data-task-id');
    // What reached the model is the element's region of the page: 200×100 of red.
    const sent = gemini.requests[requestsBefore]?.image;
    if (!sent) throw new Error('Gemini got no image');
    expect(await sharp(sent.bytes).metadata()).toMatchObject({ width: 200, height: 100 });
    expect(near(await meanColour(sent.bytes), red)).toBe(true);

    const [photo] = await documentState(page);
    expect(photo?.luminaTaskId).toBe(taskId);
    expect({ width: photo?.bitmap?.width, height: photo?.bitmap?.height }).toEqual({ width: 200, height: 100 });
    expect(near(await meanColour(Buffer.from(photo?.bitmap?.base64 ?? '', 'base64')), orange)).toBe(true);
    expect(await page.getByTestId('placed').getAttribute('data-placed')).toBe('replace');
    expect(await fakeExpress(page, 'storage')).toMatchObject({ 'lumina.placement': 'replace' });

    expect(await t.team(person.teamId)).toEqual({ balance: 6, reserved: 0 });
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('6 credits');
  });

  it('edits a held result again by its task id: the second request carries sourceTaskId and no image', async () => {
    gemini.script(imageReply(await solid(200, 100, orange)));
    const { page, person } = await signedInPanel(10, await oneImagePage());
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('1 element selected (1 image)');
    await chooseMagicEdit(page, 'make it orange');
    await page.getByTestId('run').click();
    await finished(page, 1);
    const firstTaskId = await jobs(page).first().getAttribute('data-task-id');
    const bodies: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/v1/process')) {
        bodies.push(request.postDataBuffer()?.toString('latin1') ?? '');
      }
    });
    gemini.script(imageReply(await solid(200, 100, blue)));
    await jobs(page).first().getByTestId('edit-again').click();
    await expect.poll(() => jobs(page).count()).toBe(2);
    await expect.poll(() => jobs(page).first().getAttribute('data-status'), { timeout: 30_000 }).toBe('ready');
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(new RegExp(`name="sourceTaskId"\\r\\n\\r\\n${firstTaskId}\\r\\n`));
    expect(bodies[0]).not.toContain('name="image"');
    const second = await t.request(`/api/v1/tasks/${await jobs(page).first().getAttribute('data-task-id')}`, {
      headers: { authorization: `Bearer ${await pluginToken(t, person)}` },
    });
    expect(((await second.json()) as { sourceTaskId?: string }).sourceTaskId).toBe(firstTaskId);
    // Two magic edits at 4 credits each, charged once per step.
    expect(await t.team(person.teamId)).toEqual({ balance: 2, reserved: 0 });
  });

  it('processes a batch of selected images and puts each result beside its original', async () => {
    gemini.script(imageReply(await solid(200, 100, orange)));
    const pageImage = await renderPage({ width: 800, height: 600 }, [
      { png: await solid(200, 100, red), x: 100, y: 50 },
      { png: await solid(100, 100, blue), x: 400, y: 300 },
    ]);
    const { page, person } = await signedInPanel(8, {
      ...defaultHostConfig({ pagePngBase64: pageImage }),
      nodes: [
        { name: 'red', kind: 'image', x: 100, y: 50, width: 200, height: 100, selected: true },
        { name: 'blue', kind: 'image', x: 400, y: 300, width: 100, height: 100, selected: true },
      ],
    });
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('2 elements selected');
    await chooseMagicEdit(page, 'make it orange');
    const requestsBefore = gemini.requests.length;
    await page.getByTestId('run').click();
    await finished(page, 2);
    // Beside the original is the default: Apply all puts both in without touching the originals.
    await page.getByTestId('apply-all').click();
    await expect.poll(() => page.locator('[data-testid="job"][data-status="done"]').count()).toBe(2);

    const sentColours = await Promise.all(
      gemini.requests.slice(requestsBefore).map((request) => meanColour(request.image?.bytes ?? Buffer.alloc(0))),
    );
    expect(sentColours.some((colour) => near(colour, red))).toBe(true);
    expect(sentColours.some((colour) => near(colour, blue))).toBe(true);
    expect(await fakeExpress<number>(page, 'renditions')).toBe(1);

    const nodes = await documentState(page);
    expect(nodes.map((node) => node.name)).toEqual(['red', null, 'blue', null]);
    expect(nodes[0]?.luminaTaskId).toBeNull();
    expect(nodes[1]?.bounds.x).toBe(100 + 200 + 24);
    expect(nodes[3]?.bounds.x).toBe(400 + 100 + 24);
    expect(nodes[1]?.luminaTaskId).toMatch(/^task_/);
    expect(nodes[3]?.luminaTaskId).toMatch(/^task_/);
    expect(await t.team(person.teamId)).toEqual({ balance: 0, reserved: 0 });
  });

  it('re-processes an image Lumina inserted from its earlier result, without rendering the page', async () => {
    gemini.script(imageReply(await solid(120, 80, green)));
    const person = await personWithCredits(8);
    const token = await pluginToken(t, person);
    const form = new FormData();
    form.set('image', new File([new Uint8Array(await solid(120, 80, red))], 'red.png'));
    form.set('operation', 'magic-edit');
    form.set('prompt', 'make it green');
    const submitted = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const earlierTaskId = ((await submitted.json()) as { taskId: string }).taskId;
    await eventually(async () => {
      const view = (await (
        await t.request(`/api/v1/tasks/${earlierTaskId}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { status: string };
      return view.status === 'COMPLETED' ? view : undefined;
    });

    gemini.script(imageReply(await solid(120, 80, orange)));
    const { page } = await open({
      ...defaultHostConfig({
        pagePngBase64: await renderPage({ width: 800, height: 600 }, [
          { png: await solid(120, 80, red), x: 10, y: 10 },
        ]),
      }),
      nodes: [
        {
          name: 'earlier',
          kind: 'image',
          x: 10,
          y: 10,
          width: 120,
          height: 80,
          selected: true,
          luminaTaskId: earlierTaskId,
        },
      ],
      storage: { 'lumina.token': token },
    });
    await chooseMagicEdit(page, 'now orange');
    await choosePlacement(page, 'replace');
    const requestsBefore = gemini.requests.length;
    await page.getByTestId('run').click();
    await finished(page, 1);
    await applyAll(page);

    const sent = gemini.requests[requestsBefore]?.image;
    expect(near(await meanColour(sent?.bytes ?? Buffer.alloc(0)), green)).toBe(true);
    expect(await fakeExpress<number>(page, 'renditions')).toBe(0);
    const [node] = await documentState(page);
    expect(node?.luminaTaskId).not.toBe(earlierTaskId);
    expect(near(await meanColour(Buffer.from(node?.bitmap?.base64 ?? '', 'base64')), orange)).toBe(true);
  });

  it('cancels a task while it waits, shows it canceled and gives the credit back', async () => {
    // No gpu-worker runs in this test, so a background removal waits in the queue until canceled.
    const { page, person } = await signedInPanel(5, await oneImagePage());
    await page.getByTestId('run').click();
    // Rendering and cropping the page in software Chromium takes about a second here before the upload.
    await expect.poll(() => jobs(page).first().getAttribute('data-status'), { timeout: 15_000 }).toBe('queued');
    expect(await t.team(person.teamId)).toEqual({ balance: 4, reserved: 1 });
    const taskId = (await jobs(page).first().getAttribute('data-task-id')) ?? '';

    await page.getByTestId('cancel').click();
    await expect.poll(() => jobs(page).first().getAttribute('data-status')).toBe('canceled');
    await expect.poll(async () => (await t.taskRow(taskId))?.status).toBe('CANCELED');
    expect(await t.team(person.teamId)).toEqual({ balance: 5, reserved: 0 });
    expect(await page.getByTestId('job-error').textContent()).toContain('not charged');
  });
});

describe('following the selection', () => {
  it('reads the selection once at start, then follows each change the sandbox pushes, without asking again', async () => {
    const { page } = await signedInPanel(0, await oneImagePage());
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('1 element selected (1 image)');

    await fakeExpress(page, 'select', []);
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('Nothing selected');
    await fakeExpress(page, 'select', ['photo']);
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('1 element selected (1 image)');
    expect(await fakeExpress(page, 'selectionTraffic')).toEqual({ reads: 1, pushes: 2 });
  });
});

describe('files and output without a selection', () => {
  it('processes a picked file with nothing selected and adds it with addImage once applied', async () => {
    gemini.script(imageReply(await solid(64, 64, orange)));
    const { page } = await signedInPanel(4, await oneImagePage(false));
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('Nothing selected');
    await chooseMagicEdit(page, 'make it orange');
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await solid(64, 64, blue) });
    await finished(page, 1);
    expect(await page.getByTestId('job-name').textContent()).toBe('logo.png');
    await applyAll(page);

    const taskId = await jobs(page).first().getAttribute('data-task-id');
    const [added] = await addedImages(page);
    expect(added?.nodeAddOnData).toEqual({ 'lumina.taskId': taskId });
    expect(near(await meanColour(Buffer.from(added?.base64 ?? '', 'base64')), orange)).toBe(true);
    expect(await fakeExpress<number>(page, 'renditions')).toBe(0);
    expect(await page.getByTestId('placed').getAttribute('data-placed')).toBe('added');
  });
});

describe('refusals and errors in plain words', () => {
  it('refuses a page with premium content for a free user before anything is rendered or uploaded, and offers the upgrade', async () => {
    const { page, person } = await signedInPanel(5, { ...(await oneImagePage()), pageHasPremiumContent: true });
    await page.getByTestId('run').click();
    await finished(page, 1);
    expect(await page.getByTestId('job-error').getAttribute('data-code')).toBe('premium_content');
    expect(await page.getByTestId('job-error').textContent()).toContain('premium content');
    expect(await fakeExpress<number>(page, 'renditions')).toBe(0);
    expect((await t.ledger(person.teamId)).map((row) => row.kind)).toEqual(['grant']);
    await page.getByTestId('upgrade').click();
    await expect.poll(() => fakeExpress<number>(page, 'upgrades')).toBe(1);
  });

  it('refuses to export from a document under review, without even rendering it', async () => {
    const { page, person } = await signedInPanel(5, { ...(await oneImagePage()), exportAllowed: false });
    await page.getByTestId('run').click();
    await finished(page, 1);
    expect(await page.getByTestId('job-error').getAttribute('data-code')).toBe('export_not_allowed');
    expect(await fakeExpress<number>(page, 'renditions')).toBe(0);
    expect((await t.ledger(person.teamId)).map((row) => row.kind)).toEqual(['grant']);
  });

  it('says in plain words when the team is out of credits, and the row opens billing within the click', async () => {
    const { page } = await signedInPanel(0, await oneImagePage());
    await page.getByTestId('run').click();
    await finished(page, 1);
    expect(await page.getByTestId('job-error').getAttribute('data-code')).toBe('insufficient_credits');
    expect(await page.getByTestId('job-error').textContent()).toContain('Not enough credits');
    // The same billing page as the Account menu's "Buy credits", opened inside the click (the fake host blocks a
    // window opened after it, as Safari does).
    const billing = page
      .context()
      .waitForEvent('request', (request) => request.url() === `${backendServer.origin}/billing`);
    await page.getByTestId('job').getByTestId('buy-credits').click();
    await billing;
    expect(await fakeExpress<string[]>(page, 'popupsBlocked')).toEqual([]);
  });
});

describe('themes', () => {
  it('follows Express’s theme, at start and when it changes', async () => {
    const { page } = await open({ ...(await oneImagePage()), theme: 'dark' });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    const dark = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    await fakeExpress(page, 'setTheme', 'light');
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).not.toBe(dark);
  });
});

describe('first use: forms start at their defaults and errors are plain words', () => {
  it('sends upscale untouched at 2× (the select no longer starts blank), showing the output size first', async () => {
    const { page, person } = await signedInPanel(8, await oneImagePage());
    await chooseOperation(page, 'upscale');
    await expect
      .poll(() => page.locator('[data-testid="field-scale"] sp-action-button[selected]').getAttribute('value'))
      .toBe('2');
    expect(await page.getByTestId('output-size').textContent()).toBe('→ 400 × 200 px');
    expect(await page.getByTestId('run').textContent()).toContain('Upscale');
    await page.getByTestId('run').click();
    // No gpu-worker runs here: the task waits in the queue, which means the API accepted it.
    await expect.poll(() => jobs(page).first().getAttribute('data-status'), { timeout: 15_000 }).toBe('queued');
    const taskId = (await jobs(page).first().getAttribute('data-task-id')) ?? '';
    expect((await t.taskRow(taskId))?.params).toMatchObject({ scale: 2, model: 'slim' });
    await page.getByTestId('cancel').click();
    await expect.poll(() => jobs(page).first().getAttribute('data-status')).toBe('canceled');
    expect(await t.team(person.teamId)).toMatchObject({ reserved: 0 });
  });

  it('says invalid_request in plain words, never the API’s validation text', async () => {
    const { page, context } = await signedInPanel(8, await oneImagePage());
    // A parameter the API refuses, as an older panel or a changed server would send it.
    await context.route(`${backendServer.origin}/api/v1/process`, async (route) => {
      const body = route.request().postDataBuffer() ?? Buffer.alloc(0);
      const bad = Buffer.from(body.toString('latin1').replace(/(name="scale"\r\n\r\n)2/, '$13'), 'latin1');
      await route.continue({ postData: bad });
    });
    await chooseOperation(page, 'upscale');
    await page.getByTestId('run').click();
    await finished(page, 1);
    const error = page.getByTestId('job-error');
    expect(await error.getAttribute('data-code')).toBe('invalid_request');
    const words = (await error.textContent()) ?? '';
    expect(words).toBe('Lumina could not use these options. Reset them and try again.');
    expect(words).not.toMatch(/✖|params\.|Invalid input/);
  });
});

describe('only stable host APIs, and the truth about charged results', () => {
  it('opens the sign-in window within the click, which Safari allows, and sends it to the pairing page', async () => {
    const { page } = await open({ ...(await oneImagePage()), storage: {} });
    const popup = page.waitForEvent('popup');
    const verification = page
      .context()
      .waitForEvent('request', (request) => request.url().startsWith(`${backendServer.origin}/pair`));
    await page.getByTestId('sign-in').click();
    await popup;
    const userCode = (await page.getByTestId('user-code').textContent()) ?? '';
    expect((await verification).url()).toBe(`${backendServer.origin}/pair?code=${userCode}`);
    expect(await fakeExpress<string[]>(page, 'popupsBlocked')).toEqual([]);
  });

  it('the fake UI SDK refuses every @experimental member of the installed SDK', async () => {
    const { page } = await open({ ...(await oneImagePage()), storage: {} });
    const sdk = sdkExperimentalSurface();
    const uiMembers = sdk.members.filter((entry) => entry.file.startsWith('ui/'));
    const { allowed, uncovered } = await fakeExpress<{ allowed: string[]; uncovered: string[] }>(
      page,
      'refusedExperimental',
      uiMembers.map(({ owner, member }) => ({ owner, member })),
    );
    expect(uiMembers.length).toBeGreaterThan(0);
    expect(allowed).toEqual([]);
    // What the fake has no object for is itself an experimental type, reachable only through a refused member.
    const experimentalTypes = new Set(sdk.types.map((type) => type.name));
    expect(uncovered.filter((entry) => !experimentalTypes.has(entry.split('.')[0] ?? ''))).toEqual([]);
  });

  it('keeps a batch to three tasks in flight; the fourth starts when one ends', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const { page, person } = await signedInPanel(10, {
      ...defaultHostConfig({
        pagePngBase64: await renderPage({ width: 800, height: 600 }, [
          { png: await solid(600, 100, red), x: 100, y: 50 },
        ]),
      }),
      nodes: names.map((name, index) => ({
        name,
        kind: 'image' as const,
        x: 100 + index * 120,
        y: 50,
        width: 100,
        height: 100,
        selected: true,
      })),
    });
    // Background removal with no gpu-worker: every task waits in the queue until canceled.
    await page.getByTestId('run').click();
    const queued = page.locator('[data-testid="job"][data-status="queued"]');
    const waiting = page.locator('[data-testid="job"][data-status="waiting"]');
    await expect.poll(() => queued.count(), { timeout: 20_000 }).toBe(3);
    expect(await waiting.count()).toBe(2);
    expect(await t.team(person.teamId)).toEqual({ balance: 7, reserved: 3 });
    await shoot(page, 'batch-in-progress');
    // The main button names the operation and the total; the count is on the line above. One line at 320 px (it
    // wrapped as "Remove background 5 layers · 5 / credits").
    expect(await page.getByTestId('selection').textContent()).toContain('5 elements selected');
    expect(await page.getByTestId('run').textContent()).toBe('Remove background · 5 credits');
    expect((await page.getByTestId('run').boundingBox())?.height).toBeLessThan(40);

    await queued.first().getByTestId('cancel').click();
    await expect.poll(() => page.locator('[data-testid="job"][data-status="canceled"]').count()).toBe(1);
    await expect.poll(() => waiting.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => queued.count(), { timeout: 20_000 }).toBe(3);
    for (
      let left = await page.getByTestId('cancel').count();
      left > 0;
      left = await page.getByTestId('cancel').count()
    ) {
      await page.getByTestId('cancel').first().click();
      await expect.poll(() => page.getByTestId('cancel').count()).toBeLessThan(left);
    }
    await expect.poll(() => t.team(person.teamId)).toEqual({ balance: 10, reserved: 0 });
  });

  it('finds the original again when the user selected something else while the task ran', async () => {
    gemini.script(imageReply(await solid(200, 100, orange)));
    const config = await oneImagePage();
    const { page } = await signedInPanel(8, {
      ...config,
      nodes: [...config.nodes, { name: 'note', kind: 'text', x: 10, y: 500, width: 80, height: 20 }],
    });
    await chooseMagicEdit(page, 'make it orange');
    await page.getByTestId('run').click();
    await finished(page, 1);
    await fakeExpress(page, 'select', ['note']);
    await applyAll(page);
    expect(await jobs(page).first().getAttribute('data-status')).toBe('done');
    const nodes = await documentState(page);
    expect(nodes.map((node) => node.name)).toEqual(['photo', null, 'note']);
    expect(nodes[1]?.bounds).toMatchObject({ x: 100 + 200 + 24, y: 50 });

    await page.getByTestId('select-layer').click();
    await expect.poll(() => page.getByTestId('selection').textContent()).toContain('1 element selected (1 image)');
  });

  it('says a charged result was not placed when its original is gone, and offers drag and download', async () => {
    gemini.script(imageReply(await solid(200, 100, orange)));
    const { page, person } = await signedInPanel(8, await oneImagePage());
    await chooseMagicEdit(page, 'make it orange');
    await page.getByTestId('run').click();
    await finished(page, 1);
    await fakeExpress(page, 'remove', 'photo');
    await page.getByTestId('apply').click();
    await expect.poll(() => jobs(page).first().getAttribute('data-status')).toBe('not-placed');
    const note = (await page.getByTestId('not-placed').textContent()) ?? '';
    expect(note).toContain('4 credits charged');
    expect(note).not.toContain('not charged');
    expect(await page.getByTestId('download').getAttribute('href')).toMatch(/^blob:/);
    expect(await t.team(person.teamId)).toEqual({ balance: 4, reserved: 0 });
    await fakeExpress(page, 'completeDrag');
    const [dragged] = await addedImages(page);
    expect(near(await meanColour(Buffer.from(dragged?.base64 ?? '', 'base64')), orange)).toBe(true);
  });
});

describe('screenshots of the panel', () => {
  it('writes the main states, light and dark, beside the README', async () => {
    const signedOut = await open({ ...(await oneImagePage()), storage: {} });
    await signedOut.page.getByTestId('sign-in').waitFor();
    await shoot(signedOut.page, 'signed-out');

    const one = await signedInPanel(12, await oneImagePage());
    await expect.poll(() => one.page.getByTestId('selection').textContent()).toContain('1 image');
    // One credit, in the singular; the header stays on one line at 320 px (it wrapped as "42 / credits").
    expect(await one.page.getByTestId('run').textContent()).toBe('Remove background · 1 credit');
    await one.page.setViewportSize({ width: 320, height: 640 });
    const header = await one.page.locator('header.bar').boundingBox();
    const balance = await one.page.getByTestId('balance').boundingBox();
    expect(header?.height).toBeLessThan(40);
    expect(balance?.height).toBeLessThan(24);
    await shoot(one.page, 'one-layer');
    // slim-spectrum.mjs leaves the theme's typography rules out of ui.js: nothing drawn, in any shadow root, uses them.
    const typographyClasses = await one.page.evaluate<string[]>(`(() => {
      const found = [];
      const walk = (root) => {
        for (const element of root.querySelectorAll('*')) {
          for (const name of element.classList) {
            if (/^spectrum-(Typography|Heading|Body|Detail|Code)\\b/.test(name)) found.push(name);
          }
          if (element.shadowRoot) walk(element.shadowRoot);
        }
      };
      walk(document);
      return found;
    })()`);
    expect(typographyClasses).toEqual([]);

    const broke = await signedInPanel(0, await oneImagePage());
    await broke.page.getByTestId('run').click();
    await finished(broke.page, 1);
    await shoot(broke.page, 'error');
  });
});

/** Saves the panel at Express's 320 px rail width, in the light theme and the dark one. */
async function shoot(page: Page, state: string) {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const theme of ['light', 'dark']) {
    await fakeExpress(page, 'setTheme', theme);
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe(theme);
    await page.screenshot({ path: join(screenshotsDir, `${state}-${theme}.png`), animations: 'disabled' });
  }
}
