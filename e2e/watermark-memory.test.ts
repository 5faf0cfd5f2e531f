import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAsWorker } from '../backend/test/support/complete-task.ts';
import { fixture, startTestBackend, type TestBackend } from '../backend/test/support/harness.ts';
import { type StripeStandIn, startStripeStandIn } from '../backend/test/support/stripe-stand-in.ts';
import { submit } from './support/slice.ts';
import { exited, spawnWorkerProcess } from './support/worker-process.ts';

// Issue 13, item 1: a free team's 16 MP result asked for as WebP by 8 clients at once, served by the API in a
// process of its own so that its memory can be read from /proc.
const side = 4096;
const parallelRequests = 8;
/**
 * What one 16 MP marked WebP may add to the idle API, however many ask for it at once: libwebp holds the whole
 * picture (about 0.4 GB with its alpha plane). Before the copy was kept, 8 requests took 2.5 GB and none had been
 * answered after 8 minutes. The idle API itself is about 0.22 GB, so the peak is about 0.65 GB, not under 0.6.
 */
const maxGrowthBytes = 512 * 1024 * 1024;

let stripe: StripeStandIn;
let t: TestBackend;
const children: ChildProcess[] = [];

beforeAll(async () => {
  stripe = await startStripeStandIn();
  // Billing on, so a team that never bought credits is on the free plan and its results are watermarked.
  t = await startTestBackend({ ...stripe.env }, { background: false });
});
afterAll(async () => {
  // SIGKILL: a busy API would finish its image work before it stops for SIGTERM.
  for (const child of children) {
    child.kill('SIGKILL');
    await exited(child);
  }
  await t?.close();
  await stripe?.close();
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The process and everything it started, as pids (from `/proc/<pid>/task/<tid>/children`). */
function processTree(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean);
  return [pid, ...children.flatMap((child) => processTree(Number(child)))];
}

/** A `/proc/<pid>/status` field in bytes (`VmRSS`, `VmHWM`: the peak resident set size so far). */
const statusBytes = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!line?.[1]) throw new Error(`no ${field} for ${pid}`);
  return Number(line[1]) * 1024;
};
const treeBytes = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  processTree(pid).reduce((sum, member) => sum + statusBytes(member, field), 0);

const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** A GET through node:http, which has no time limit of its own (fetch gives up on headers after 300 s). */
const download = (url: string) =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      }).on('error', reject);
    },
  );

describe('watermarked results under load', () => {
  it('answers 8 parallel requests for a 16 MP watermarked WebP correctly, the API growing by one encode at most', async () => {
    const team = await t.newTeam(5);
    const taskId = await submit(t, team.auth, fixture('horse.png'));
    // A 16 MP cut-out with photo detail, as remove-background stores it (PNG).
    const margin = side / 8;
    const result = await sharp(fixture('baboon.jpg'))
      .resize(side - 2 * margin, side - 2 * margin)
      .extend({ top: margin, bottom: margin, left: margin, right: margin, background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
    await completeAsWorker(t, taskId, result);

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const api = await spawnWorkerProcess({
      name: 'api',
      entry: 'backend/src/main.ts',
      env: { ...t.env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: origin },
      readyText: '"listening"',
      children,
    });
    const pid = api.child.pid;
    if (pid === undefined) throw new Error('the API process has no pid');

    const view = TaskView.parse(await (await fetch(`${origin}/api/v1/tasks/${taskId}`, { headers: team.auth })).json());
    expect(view.status).toBe('COMPLETED');
    const url = `${view.resultUrl ?? ''}&format=webp`;
    const idleRss = treeBytes(pid, 'VmRSS');

    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: parallelRequests }, async () => {
        const res = await download(url);
        return { ...res, ms: performance.now() - started };
      }),
    );
    const peakRss = treeBytes(pid, 'VmHWM');
    const latencies = answers.map((answer) => Math.round(answer.ms));
    console.log(
      `watermarked ${side}x${side} WebP, ${parallelRequests} parallel requests: API idle ${megabytes(idleRss)} MB, ` +
        `peak ${megabytes(peakRss)} MB RSS (process tree); latency first ${Math.min(...latencies)} ms, ` +
        `last ${Math.max(...latencies)} ms`,
    );

    for (const { status, headers, body } of answers) {
      expect(status).toBe(200);
      expect(headers['content-type']).toBe('image/webp');
      expect(headers['x-lumina-watermark']).toBe('free-plan');
      expect(body.equals(answers[0]?.body ?? Buffer.alloc(0))).toBe(true);
    }
    const served = await sharp(answers[0]?.body).metadata();
    expect([served.format, served.width, served.height, served.hasAlpha]).toEqual(['webp', side, side, true]);
    expect(peakRss - idleRss).toBeLessThan(maxGrowthBytes);
  }, 600_000);
});
