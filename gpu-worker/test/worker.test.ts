import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectStore, type ObjectStore } from '@lumina/runtime';
import { GpuJobResult, queueNames, RemoveBackgroundParams, type TaskJob } from '@lumina/shared';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type GpuWorker, type Logger, loadWorkerConfig, silentLogger, startGpuWorker } from '../src/index.ts';
import { fixture, recordingLogger } from './support/fixtures.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const connection = { host: new URL(redisUrl).hostname, port: Number(new URL(redisUrl).port || 6379) };
const newTaskId = () => `task_${randomBytes(13).toString('hex')}`;
const jobWaitMs = 120_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A worker, a producer and an event listener on a queue prefix of this test's own, over a temporary store;
 * `workerStore` may wrap the store the worker sees (the producer writes inputs to the store itself).
 */
async function harness(
  env: Record<string, string> = {},
  log: Logger = silentLogger,
  workerStore: (store: ObjectStore) => ObjectStore = (store) => store,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lumina-worker-test-'));
  const config = loadWorkerConfig({
    REDIS_URL: redisUrl,
    LUMINA_QUEUE_PREFIX: `test-${randomUUID()}`,
    LUMINA_DATA_DIR: dataDir,
    ...env,
  });
  const store: ObjectStore = createObjectStore(config.storage);
  const queue = new Queue(queueNames.gpu, { connection, prefix: config.queuePrefix });
  const events = new QueueEvents(queueNames.gpu, { connection, prefix: config.queuePrefix });
  cleanups.push(async () => {
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const worker: GpuWorker = await startGpuWorker({ config, store: workerStore(store), log });
  cleanups.push(() => worker.close());
  await Promise.all([worker.ready, events.waitUntilReady()]);

  const progress = new Map<string, unknown[]>();
  events.on('progress', ({ jobId, data }) => progress.set(jobId, [...(progress.get(jobId) ?? []), data]));

  /** Stores `input` (when given) and enqueues a job for it the way the backend does. */
  const submit = async (input: Uint8Array | null, format: 'png' | 'webp' = 'png') => {
    const taskId = newTaskId();
    const job: TaskJob = {
      taskId,
      request: { operation: 'remove-background', params: RemoveBackgroundParams.parse({ format }) },
      inputKey: `inputs/${taskId}`,
      outputKey: `results/${taskId}.${format}`,
    };
    if (input) await store.put(job.inputKey, input, 'application/octet-stream');
    return { job, queued: await queue.add(job.request.operation, job, { jobId: taskId, attempts: 3 }) };
  };
  return { config, store, queue, events, worker, submit, progress };
}

describe('gpu worker over real Redis', () => {
  it('processes a job: stores the result under the output key and returns a GpuJobResult', async () => {
    const { store, events, worker, submit, progress } = await harness();
    const { job, queued } = await submit(fixture('chelsea.png'));

    const returned = GpuJobResult.parse(await queued.waitUntilFinished(events, jobWaitMs));
    expect(returned).toMatchObject({
      outputKey: job.outputKey,
      result: { format: 'png', width: 451, height: 300 },
      // The test worker runs on CPU, which serves ISNet's float32 copy.
      model: 'isnet-medium-fp32',
      executionProvider: worker.executionProvider,
    });
    const stored = await store.get(job.outputKey);
    expect(stored?.contentType).toBe('image/png');
    expect(stored?.body.length).toBe(returned.result.bytes);
    expect(await sharp(stored?.body).metadata()).toMatchObject({ format: 'png', width: 451, height: 300, channels: 4 });
    expect(progress.get(job.taskId)).toEqual([10, 30, 80, 95]);
  });

  it('stores WebP results with their content type', async () => {
    const { store, events, submit } = await harness();
    const { job, queued } = await submit(fixture('horse.png'), 'webp');

    await queued.waitUntilFinished(events, jobWaitMs);
    const stored = await store.get(job.outputKey);
    expect(stored?.contentType).toBe('image/webp');
    expect((await sharp(stored?.body).metadata()).format).toBe('webp');
  });

  it('fails a job whose input is missing once, as input_unreadable, without retrying', async () => {
    const { queue, events, submit } = await harness();
    const { job, queued } = await submit(null);

    await expect(queued.waitUntilFinished(events, jobWaitMs)).rejects.toThrow(/^input_unreadable: /);
    const failed = await queue.getJob(job.taskId);
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toBe(`input_unreadable: there is no input object at ${job.inputKey}`);
  });

  it('fails a job whose input is not an image once, as input_unreadable', async () => {
    const { queue, events, submit } = await harness();
    const { job, queued } = await submit(new TextEncoder().encode('%PDF-1.7 not an image'));

    await expect(queued.waitUntilFinished(events, jobWaitMs)).rejects.toThrow(/^input_unreadable: /);
    expect((await queue.getJob(job.taskId))?.attemptsMade).toBe(1);
  });

  it('fails a job with an invalid payload at once, whatever attempts it has left', async () => {
    const { queue, events } = await harness();
    const queued = await queue.add('remove-background', { taskId: 'not-a-task-id', inputKey: '' }, { attempts: 3 });

    await expect(queued.waitUntilFinished(events, jobWaitMs)).rejects.toThrow(/^internal_error: .*invalid payload/);
    const failed = await queue.getJob(queued.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
  });

  it('keeps renewing the locks of eight jobs in flight, each held until it has outlived the lock it had', async () => {
    // onnxruntime-node runs inference synchronously; were it on the event loop, or were the decodes and encodes of
    // eight jobs to starve it, the locks would expire while the jobs wait their turn for the model and the jobs
    // would be lost to the stalled-job checker. Nothing here depends on how fast the machine is: every job is held
    // at its result upload until all eight are held there at once and each has outlived the lock it had when the
    // test first saw it, so none can finish without its lock having been renewed, under the load of the others'
    // decodes, inferences and encodes. The lock (5 s) only has to outlast the longest pause of a loaded machine.
    const log = recordingLogger();
    const held = new Set<string>();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holdResults = (store: ObjectStore): ObjectStore => ({
      kind: store.kind,
      get: (key) => store.get(key),
      delete: (key) => store.delete(key),
      list: (prefix) => store.list(prefix),
      check: () => store.check(),
      async put(key, body, contentType) {
        if (key.startsWith('results/')) {
          held.add(key);
          await released;
        }
        return store.put(key, body, contentType);
      },
    });
    const { queue, events, submit } = await harness(
      { WORKER_CONCURRENCY: '8', WORKER_LOCK_DURATION_MS: '5000', WORKER_STALLED_INTERVAL_MS: '1000' },
      log,
      holdResults,
    );
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    const names = ['home.jpg', 'chelsea.png', 'horse.png', 'fruits.jpg', 'coffee.png', 'smarties.png', 'baboon.jpg'];
    const jobs = [];
    for (let i = 0; i < 8; i++) jobs.push(await submit(fixture(names[i % names.length] ?? 'home.jpg')));

    // When each lock was first seen to expire; a job is done waiting once that moment has passed with its lock
    // still there, i.e. renewed.
    const redis = new Redis(redisUrl);
    cleanups.push(async () => {
      await redis.quit();
    });
    const firstExpiry = new Map<string, number>();
    const outlived = new Set<string>();
    try {
      // A stalled job would be taken again with a fresh lock: stop waiting and let the assertions say so.
      while ((held.size < jobs.length || outlived.size < jobs.length) && stalled.length === 0) {
        for (const { job } of jobs) {
          const ttl = await redis.pttl(`${queue.toKey(job.taskId)}:lock`);
          if (ttl <= 0) continue;
          const expiry = firstExpiry.get(job.taskId);
          if (expiry === undefined) firstExpiry.set(job.taskId, Date.now() + ttl);
          else if (Date.now() > expiry) outlived.add(job.taskId);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      release();
    }
    expect(held.size).toBe(8);

    await Promise.all(jobs.map(({ queued }) => queued.waitUntilFinished(events, 8 * jobWaitMs)));
    expect(stalled).toEqual([]);
    expect(log.lines.filter((line) => line.message === 'gpu worker error')).toEqual([]);
    for (const { job } of jobs) expect((await queue.getJob(job.taskId))?.attemptsMade).toBe(1);
  }, 1_200_000);

  it('refuses to start when cuda is asked for but cannot load, naming the way out', async () => {
    const config = loadWorkerConfig({
      REDIS_URL: redisUrl,
      LUMINA_QUEUE_PREFIX: `test-${randomUUID()}`,
      LUMINA_EXECUTION_PROVIDER: 'cuda',
    });
    const started = startGpuWorker({ config, store: createObjectStore(config.storage), log: silentLogger });
    // On a host where cuda does load there is nothing to refuse; everywhere else the start must fail loudly.
    const outcome = await started.then(
      async (worker) => {
        await worker.close();
        return worker.executionProvider;
      },
      (error: Error) => error.message,
    );
    if (outcome !== 'cuda')
      expect(outcome).toMatch(/cuda execution provider could not load.*LUMINA_ALLOW_CPU_FALLBACK=true/s);
  });

  it('falls back to cpu when cuda cannot load and LUMINA_ALLOW_CPU_FALLBACK=true, and says so', async () => {
    const log = recordingLogger();
    const { worker, events, submit } = await harness(
      { LUMINA_EXECUTION_PROVIDER: 'cuda', LUMINA_ALLOW_CPU_FALLBACK: 'true' },
      log,
    );

    if (worker.executionProvider === 'cpu') {
      expect(log.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: expect.stringMatching(/cuda.*falling back to cpu/) }),
      );
    }
    const { queued } = await submit(fixture('horse.png'));
    expect(await queued.waitUntilFinished(events, jobWaitMs)).toMatchObject({
      executionProvider: worker.executionProvider,
    });
  });

  it('logs the thread settings it chose', async () => {
    const log = recordingLogger();
    await harness({ WORKER_CONCURRENCY: '2' }, log);
    const line = log.lines.find((l) => l.message === 'thread settings');
    expect(line?.fields).toMatchObject({ concurrency: 2, intraOpThreadsFrom: 'auto', sharpConcurrencyFrom: 'auto' });
    expect(line?.fields?.intraOpThreads).toBeGreaterThan(0);
  });

  it('refuses to start when the model file does not match its pinned sha256', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'lumina-models-'));
    cleanups.push(async () => rmSync(modelsDir, { recursive: true, force: true }));
    const registry = JSON.parse(readFileSync(join(import.meta.dirname, '../models/registry.json'), 'utf8'));
    writeFileSync(join(modelsDir, 'registry.json'), JSON.stringify(registry));
    writeFileSync(join(modelsDir, registry.models[0].file), 'truncated download');

    const config = loadWorkerConfig({
      REDIS_URL: redisUrl,
      LUMINA_MODELS_DIR: modelsDir,
      LUMINA_QUEUE_PREFIX: `test-${randomUUID()}`,
    });
    await expect(
      startGpuWorker({ config, store: createObjectStore(config.storage), log: silentLogger }),
    ).rejects.toThrow(/sha256 .* but the registry pins/);
  });
});
