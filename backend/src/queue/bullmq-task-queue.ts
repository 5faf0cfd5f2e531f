import type { Logger } from '@lumina/runtime';
import { redisConnection } from '@lumina/runtime';
import {
  cancelRequestKey,
  type QueueName,
  queueNames,
  queueOf,
  type TaskJob,
  WorkerHeartbeat,
  workerHeartbeatKey,
} from '@lumina/shared';
import { Queue } from 'bullmq';
import { closeQueue } from './close-queue.ts';
import { parseJsonOrUndefined } from './parse-json-or-undefined.ts';
import type { JobSnapshot, JobState, TaskQueue } from './task-queue.ts';

export interface BullmqQueueOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly attempts: number;
  readonly log: Logger;
}

const workersCacheMs = 5000;
const cancelRequestTtlSeconds = 24 * 3600;
const knownStates = new Set<JobState>(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']);

/** One BullMQ queue with what the backend asks of it. */
function openQueue(name: QueueName, options: BullmqQueueOptions) {
  const queue = new Queue<TaskJob>(queueNames[name], {
    connection: redisConnection(options.redisUrl, 'producer'),
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: 2000 },
      // Finished jobs stay a while so the reconciler can read outcomes whose events it missed.
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
  });
  queue.on('error', () => {
    // Connection errors surface on the calls that need Redis; the event must have a listener to not crash.
  });
  // Counting workers lists Redis clients (CLIENT LIST), too costly for every status poll: keep it a few seconds.
  let workers = { count: 0, at: 0 };
  return {
    queue,
    async workersCount() {
      if (Date.now() - workers.at > workersCacheMs) workers = { count: await queue.getWorkersCount(), at: Date.now() };
      return workers.count;
    },
  };
}

export function createBullmqTaskQueue(options: BullmqQueueOptions): TaskQueue {
  const queues = { gpu: openQueue('gpu', options), edit: openQueue('edit', options) };
  const heartbeatPattern = workerHeartbeatKey(options.prefix, '*');

  return {
    async enqueue(job) {
      await queues[queueOf(job.request.operation)].queue.add(job.request.operation, job, { jobId: job.taskId });
    },
    async snapshot(taskId, queue) {
      const job = await queues[queue].queue.getJob(taskId);
      if (!job)
        return { state: 'missing', progress: 0, returnValue: undefined, failedReason: undefined, attemptsMade: 0 };
      const state = await job.getState();
      const snapshot: JobSnapshot = {
        state: knownStates.has(state as JobState) ? (state as JobState) : 'waiting',
        progress: typeof job.progress === 'number' ? job.progress : 0,
        returnValue: job.returnvalue,
        failedReason: job.failedReason || undefined,
        attemptsMade: job.attemptsMade,
      };
      return snapshot;
    },
    async remove(taskId, queue) {
      const job = await queues[queue].queue.getJob(taskId);
      if (!job) return true;
      try {
        await job.remove();
        return true;
      } catch {
        return false; // locked by a worker
      }
    },
    async requestCancel(taskId, queue) {
      const client = await queues[queue].queue.client;
      // Kept a day: long enough for a job that changes workers (stalled, retried) to meet it at its start.
      await client.set(cancelRequestKey(options.prefix, taskId), '1', { EX: cancelRequestTtlSeconds });
    },
    async position(taskId, queue) {
      // The waiting ids in the order workers take them (oldest first), through BullMQ's public API: one read of
      // the ids only, never of the jobs themselves.
      const index = (await queues[queue].queue.getRanges(['wait'], 0, -1, true)).indexOf(taskId);
      return index === -1 ? null : index;
    },
    async load(name) {
      const { queue, workersCount } = queues[name];
      const [counts, workerCount] = await Promise.all([queue.getJobCounts('wait', 'active'), workersCount()]);
      return { waiting: counts.wait ?? 0, active: counts.active ?? 0, workers: workerCount };
    },
    async stats() {
      return Promise.all(
        (['gpu', 'edit'] as const).map(async (name) => {
          const { queue } = queues[name];
          const [counts, [oldestId]] = await Promise.all([
            queue.getJobCounts('wait', 'active', 'delayed'),
            queue.getRanges(['wait'], 0, 0, true),
          ]);
          const oldest = oldestId ? await queue.getJob(oldestId) : undefined;
          return {
            queue: queueNames[name],
            waiting: counts.wait ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            oldestWaitingSeconds: oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0,
          };
        }),
      );
    },
    async workers() {
      const client = await queues.gpu.queue.client;
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const [next, found] = await client.scan(cursor, { MATCH: heartbeatPattern, COUNT: 100 });
        for (const key of found) keys.add(key);
        cursor = next;
      } while (cursor !== '0');
      const heartbeats: WorkerHeartbeat[] = [];
      for (const key of [...keys].sort()) {
        // A key can expire between the scan and the read (skipped quietly); a body that is not a heartbeat (not
        // JSON, another version's shape) is skipped and logged, so one bad key never fails `/readyz`.
        const body = await client.get(key);
        if (body === null) continue;
        const parsed = WorkerHeartbeat.safeParse(parseJsonOrUndefined(body));
        if (parsed.success) heartbeats.push(parsed.data);
        else options.log.warn('skipped a malformed worker heartbeat', { key, body: body.slice(0, 200) });
      }
      return heartbeats;
    },
    async ping() {
      await queues.gpu.queue.getJobCounts('wait');
    },
    async close() {
      await Promise.all([closeQueue(queues.gpu.queue), closeQueue(queues.edit.queue)]);
    },
  };
}
