import {
  ApiKeyCreated,
  ErrorBody,
  PairingCreated,
  PairingToken,
  SubmitTaskResponse,
  TaskList,
  TaskView,
} from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { sanitizeFileName } from '../src/uploads/sanitize-file-name.ts';
import { type Browser, dashboardJson, signUpBrowser as signUpFree } from './support/accounts.ts';
import { completeAsWorker, cutoutPng } from './support/complete-task.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;
const photo = fixture('horse.png');

beforeAll(async () => {
  t = await startTestBackend({}, { background: false });
});
afterAll(async () => {
  await t?.close();
});

/** A person whose personal team has bought credits, so a few tasks fit. */
async function signUpBrowser(tt: TestBackend, name: string): Promise<Browser> {
  const browser = await signUpFree(tt, name);
  await grantCredits({ ctx: tt.backend.ctx, input: { teamId: browser.personalTeamId, credits: 100 } });
  return browser;
}

const submit = async (headers: Record<string, string>, body: FormData): Promise<string> => {
  const res = await t.request('/api/v1/process', { method: 'POST', headers, body });
  expect(res.status).toBe(202);
  return SubmitTaskResponse.parse(await res.json()).taskId;
};

const view = async (headers: Record<string, string>, taskId: string): Promise<TaskView> => {
  const res = await t.request(`/api/v1/tasks/${taskId}`, { headers });
  expect(res.status).toBe(200);
  return TaskView.parse(await res.json());
};

async function keyFor(browser: Browser, name: string): Promise<Record<string, string>> {
  const res = await t.request(
    `/api/v1/teams/${browser.personalTeamId}/api-keys`,
    dashboardJson(browser, 'POST', { name }),
  );
  expect(res.status).toBe(201);
  return { authorization: `Bearer ${ApiKeyCreated.parse(await res.json()).secret}` };
}

/** Pairs a plugin (as the plugin and the person approving it would) and returns its bearer headers. */
async function pairedPlugin(browser: Browser, client: 'figma' | 'adobe-express'): Promise<Record<string, string>> {
  const pluginHeaders = { origin: 'null', 'content-type': 'application/json' };
  const started = await t.request('/api/v1/pairings', {
    method: 'POST',
    headers: pluginHeaders,
    body: JSON.stringify({ client }),
  });
  const pairing = PairingCreated.parse(await started.json());
  const approved = await t.request(
    `/api/v1/pairings/${pairing.userCode}/approve`,
    dashboardJson(browser, 'POST', { teamId: browser.personalTeamId }),
  );
  expect(approved.status).toBe(200);
  const token = await t.request('/api/v1/pairings/token', {
    method: 'POST',
    headers: pluginHeaders,
    body: JSON.stringify({ pollSecret: pairing.pollSecret }),
  });
  expect(token.status).toBe(200);
  return { authorization: `Bearer ${PairingToken.parse(await token.json()).token}` };
}

describe('sanitizeFileName', () => {
  it('keeps the last path segment without control or bidi characters, at most 200 UTF-16 units', () => {
    expect(sanitizeFileName('C:\\Users\\ada\\Desktop\\horse.png')).toBe('horse.png');
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('evil\u202Egnp.exe')).toBe('evilgnp.exe');
    expect(sanitizeFileName('two\n\tlines  .png')).toBe('twolines .png');
    expect(sanitizeFileName('   ')).toBeNull();
    expect(sanitizeFileName('..')).toBeNull();
    expect(sanitizeFileName(undefined)).toBeNull();
    expect(sanitizeFileName(`${'a'.repeat(250)}.png`)).toHaveLength(200);
    // 150 emoji are 300 UTF-16 units: cut at 200 without half a pair.
    const cut = sanitizeFileName('🐴'.repeat(150)) ?? '';
    expect(cut).toBe('🐴'.repeat(100));
  });
});

describe('what a task records about where it came from', () => {
  it('keeps the upload’s file name and the API key’s id and name; a chained step keeps the file name', async () => {
    const ada = await signUpBrowser(t, 'Ada');
    const key = await keyFor(ada, 'CI pipeline');
    const taskId = await submit(key, processForm(photo, {}, 'shoot/<horse> & "co".png'));
    const first = await view(key, taskId);
    expect(first.fileName).toBe('<horse> & "co".png');
    expect(first.source).toMatchObject({ kind: 'api_key', label: 'CI pipeline' });
    expect(first.source?.apiKeyId).toMatch(/^key_/);
    expect(first.backgroundImage).toBe(false);

    await completeAsWorker(t, taskId, await cutoutPng());
    const form = new FormData();
    form.set('sourceTaskId', taskId);
    form.set('operation', 'upscale');
    form.set('scale', '2');
    const next = await view(key, await submit(key, form));
    expect(next).toMatchObject({ sourceTaskId: taskId, fileName: '<horse> & "co".png' });
  });

  it('tells the CLI from a plain key by X-Lumina-Client, and refuses an unknown client at no cost', async () => {
    const team = await t.newTeam(10);
    const cli = await view(
      team.auth,
      await submit({ ...team.auth, 'x-lumina-client': 'cli' }, processForm(photo, {}, 'a.png')),
    );
    expect(cli.source).toMatchObject({ kind: 'cli', label: 'default' });
    const before = await t.team(team.teamId);
    const refused = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'x-lumina-client': 'figma' },
      body: processForm(photo),
    });
    expect(refused.status).toBe(400);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe('invalid_request');
    expect(await t.team(team.teamId)).toEqual(before);
  });

  it('names the plugin a session paired as, and the studio for a browser session', async () => {
    const bo = await signUpBrowser(t, 'Bo');
    const figma = await pairedPlugin(bo, 'figma');
    const express = await pairedPlugin(bo, 'adobe-express');
    const fromFigma = await view(figma, await submit(figma, processForm(photo, {}, 'frame 1.png')));
    const fromExpress = await view(express, await submit(express, processForm(photo)));
    const studio = bo.headers();
    const fromStudio = await view(studio, await submit(studio, processForm(photo, {}, 'dropped.png')));
    expect(fromFigma.source?.kind).toBe('figma');
    expect(fromExpress.source?.kind).toBe('adobe-express');
    expect(fromStudio.source).toEqual({ kind: 'studio', apiKeyId: null, label: null });
    expect(fromStudio.fileName).toBe('dropped.png');

    // The list narrows by source, operation and status (the API and the dashboard share the query).
    const list = async (query: string) => {
      const res = await t.request(`/api/v1/tasks?${query}`, { headers: studio });
      expect(res.status).toBe(200);
      return TaskList.parse(await res.json()).data.map((task) => task.taskId);
    };
    expect(await list('source=figma')).toEqual([fromFigma.taskId]);
    expect(await list('source=studio')).toEqual([fromStudio.taskId]);
    expect(await list('operation=upscale')).toEqual([]);
    expect((await list('status=QUEUED')).sort()).toEqual(
      [fromFigma.taskId, fromExpress.taskId, fromStudio.taskId].sort(),
    );
    const bad = await t.request('/api/v1/tasks?source=fax', { headers: studio });
    expect(bad.status).toBe(400);
  });
});

describe('the dashboard’s task history', () => {
  it('lists readable operations, escaped file names, sources, statuses and chains, and filters by query', async () => {
    const cy = await signUpBrowser(t, 'Cy');
    const key = await keyFor(cy, 'Nightly <job>');
    const cutout = await submit(key, processForm(photo, { crop: 'true' }, '<img src=x onerror=alert(1)>.png'));
    await completeAsWorker(t, cutout, await cutoutPng());
    const upscale = new FormData();
    upscale.set('sourceTaskId', cutout);
    upscale.set('operation', 'upscale');
    upscale.set('scale', '4');
    const chained = await submit(cy.headers(), upscale);

    const page = await t.request('/tasks', { headers: cy.headers() });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Remove background · cut-out, transparent, trimmed to subject');
    expect(html).toContain('Upscale 4× (slim)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.png');
    expect(html).toContain('API key “Nightly &lt;job&gt;”');
    expect(html).toContain('Studio');
    expect(html).toContain('<span class="badge done">Done</span>');
    expect(html).toContain('<span class="badge open">Queued</span>');
    expect(html).toContain(`href="/tasks/${cutout}"`);
    expect(html).toContain('from task');
    // Units on every credit figure: the removal costs 1, the 4× upscale 2.
    expect(html).toContain('<td class="num">1 credit</td>');
    expect(html).toContain('<td class="num">2 credits</td>');

    const onlyStudio = await (await t.request('/tasks?source=studio', { headers: cy.headers() })).text();
    expect(onlyStudio).toContain('Upscale 4× (slim)');
    expect(onlyStudio).not.toContain('Remove background ·');
    expect(onlyStudio).toContain('<option value="studio" selected="">');
    const none = await (await t.request('/tasks?status=FAILED', { headers: cy.headers() })).text();
    expect(none).toContain('No tasks match these filters.');
    const unknown = await t.request('/tasks?status=LOST', { headers: cy.headers() });
    expect(unknown.status).toBe(400);

    const home = await (await t.request('/', { headers: cy.headers() })).text();
    expect(home).toContain('Recent tasks');
    expect(home).toContain('Upscale 4× (slim)');

    const detail = await t.request(`/tasks/${chained}`, { headers: cy.headers() });
    expect(detail.status).toBe(200);
    const detailHtml = await detail.text();
    expect(detailHtml).toContain(`href="/tasks/${cutout}"`);
    expect(detailHtml).toContain('Before');
    expect(detailHtml).toContain('After');
  });

  it('shows the input only to the task’s team, as a WebP no larger than 1600 px', async () => {
    const di = await signUpBrowser(t, 'Di');
    const taskId = await submit(di.headers(), processForm(photo, {}, 'horse.png'));
    const res = await t.request(`/tasks/${taskId}/input`, { headers: di.headers() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    const original = await sharp(photo).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(
      Math.min(1600, Math.max(original.width ?? 0, original.height ?? 0)),
    );

    const eve = await signUpBrowser(t, 'Eve');
    expect((await t.request(`/tasks/${taskId}/input`, { headers: eve.headers() })).status).toBe(404);
    expect((await t.request(`/tasks/${taskId}`, { headers: eve.headers() })).status).toBe(404);
    expect((await t.request('/tasks/not-a-task', { headers: di.headers() })).status).toBe(404);
  });
});
