import { randomBytes } from 'node:crypto';
import type { Logger } from '@lumina/runtime';
import { TaskJob, workerHeartbeatKey } from '@lumina/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqTaskQueue } from '../src/queue/bullmq-task-queue.ts';
import type { TaskQueue } from '../src/queue/task-queue.ts';

// The BullMQ queue on real Redis, with a prefix of its own and no worker: jobs stay waiting in their order.
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomBytes(6).toString('hex')}`;
const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
const log: Logger = { info: () => {}, error: () => {}, warn: (message, fields) => warnings.push({ message, fields }) };
let queue: TaskQueue;
let redis: Redis;

beforeAll(() => {
  queue = createBullmqTaskQueue({ redisUrl, prefix, attempts: 1, log });
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
});

const taskId = () => `task_${randomBytes(13).toString('hex').slice(0, 26)}`;
const job = (id: string) =>
  TaskJob.parse({
    taskId: id,
    request: { operation: 'remove-background', params: {} },
    inputKey: `inputs/${id}`,
    outputKey: `results/${id}.png`,
  });

describe('queue position', () => {
  it('counts from 0 in the order workers take jobs, and is null for a job that does not wait', async () => {
    const ids = [taskId(), taskId(), taskId()];
    for (const id of ids) await queue.enqueue(job(id));
    expect(await Promise.all(ids.map((id) => queue.position(id, 'gpu')))).toEqual([0, 1, 2]);
    expect(await queue.position(taskId(), 'gpu')).toBeNull();

    // The first one leaves the queue (as when a worker takes it): the others move up.
    expect(await queue.remove(ids[0] ?? '', 'gpu')).toBe(true);
    expect(await Promise.all(ids.map((id) => queue.position(id, 'gpu')))).toEqual([null, 0, 1]);
  });
});

describe('worker heartbeats', () => {
  it('skips and logs a malformed heartbeat, still listing the live workers', async () => {
    const live = {
      workerId: 'wrk_live',
      model: 'isnet-medium',
      executionProvider: 'cpu',
      concurrency: 1,
      hostname: 'test',
      startedAt: new Date().toISOString(),
    };
    await redis.set(workerHeartbeatKey(prefix, 'wrk_broken'), '{not json', 'EX', 60);
    await redis.set(workerHeartbeatKey(prefix, 'wrk_foreign'), JSON.stringify({ workerId: 7 }), 'EX', 60);
    await redis.set(workerHeartbeatKey(prefix, live.workerId), JSON.stringify(live), 'EX', 60);

    expect(await queue.workers()).toEqual([live]);
    const skipped = warnings.filter((w) => w.message === 'skipped a malformed worker heartbeat');
    expect(skipped.map((w) => w.fields?.key).sort()).toEqual([
      workerHeartbeatKey(prefix, 'wrk_broken'),
      workerHeartbeatKey(prefix, 'wrk_foreign'),
    ]);
  });
});
