import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectStore, storageConfigFromEnv } from '@lumina/runtime';
import { GpuJobResult, queueNames } from '@lumina/shared';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from './support/fixtures.ts';

const repoRoot = join(import.meta.dirname, '../..');
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const connection = { host: new URL(redisUrl).hostname, port: Number(new URL(redisUrl).port || 6379) };

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Resolves with the first stdout line that matches, or rejects when the process exits or time runs out. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (line) finish(undefined, line);
    };
    const onExit = (code: number | null) => finish(new Error(`the worker exited (${code}) before printing ${pattern}`));
    const finish = (error: Error | undefined, line?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining, so a full pipe never blocks the worker's logging
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(line ?? '');
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

describe('gpu-worker/src/main.ts as a process', () => {
  it('starts from the environment, serves jobs, and on SIGTERM finishes the active job before exiting 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lumina-main-test-'));
    const env = { REDIS_URL: redisUrl, LUMINA_QUEUE_PREFIX: `test-${randomUUID()}`, LUMINA_DATA_DIR: dataDir };
    const queue = new Queue(queueNames.gpu, { connection, prefix: env.LUMINA_QUEUE_PREFIX });
    const events = new QueueEvents(queueNames.gpu, { connection, prefix: env.LUMINA_QUEUE_PREFIX });
    cleanups.push(async () => {
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const child = spawn(process.execPath, ['--import', 'tsx', 'gpu-worker/src/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const exited = once(child, 'exit');

    const readyLine = await waitForLine(child, /"message":"gpu worker ready"/, 150_000);
    expect(JSON.parse(readyLine)).toMatchObject({
      // On CPU the worker serves ISNet's float32 copy (gpu-worker/models/registry.json).
      model: 'isnet-medium-fp32',
      executionProvider: 'cpu',
      queue: queueNames.gpu,
    });
    await events.waitUntilReady();

    // The worker reads the store the backend writes: same variables, same folder.
    const store = createObjectStore(storageConfigFromEnv(env, dataDir));
    const taskId = `task_${randomBytes(13).toString('hex')}`;
    await store.put(`inputs/${taskId}`, fixture('chelsea.png'), 'image/png');
    const active = new Promise<void>((resolve) =>
      events.on('active', ({ jobId }) => {
        if (jobId === taskId) resolve();
      }),
    );
    const job = await queue.add(
      'remove-background',
      {
        taskId,
        request: { operation: 'remove-background', params: { format: 'png' } },
        inputKey: `inputs/${taskId}`,
        outputKey: `results/${taskId}.png`,
      },
      { jobId: taskId },
    );

    await active;
    child.kill('SIGTERM');
    const result = GpuJobResult.parse(await job.waitUntilFinished(events, 120_000));
    expect(result.outputKey).toBe(`results/${taskId}.png`);
    expect(await store.get(result.outputKey)).not.toBeNull();
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
