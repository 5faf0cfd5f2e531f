import type { QueueName, TaskJob, WorkerHeartbeat } from '@lumina/shared';

export type JobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'completed' | 'failed' | 'missing';

export interface JobSnapshot {
  readonly state: JobState;
  /** 0–100 as last reported by the worker. */
  readonly progress: number;
  readonly returnValue: unknown;
  readonly failedReason: string | undefined;
  readonly attemptsMade: number;
}

/**
 * The backend's view of the work queues; the BullMQ implementation is the only one, tests use it on real Redis.
 * Each operation goes to its queue (`queueOf`), so every call about a task names the task's queue.
 */
export interface TaskQueue {
  /** Adds the job with `jobId = taskId` to its operation's queue (`queueOf`); adding a task already queued does nothing. */
  enqueue(job: TaskJob): Promise<void>;
  snapshot(taskId: string, queue: QueueName): Promise<JobSnapshot>;
  /** Removes a job that is not being processed; false when it is locked by a worker. */
  remove(taskId: string, queue: QueueName): Promise<boolean>;
  /**
   * Asks the worker holding the job to stop it: it aborts within a fraction of a second and fails the job as
   * `canceled` (and a worker that takes the job later drops it at once).
   */
  requestCancel(taskId: string, queue: QueueName): Promise<void>;
  /** 0-based place among waiting jobs (0 = next), or null when the job is not waiting. */
  position(taskId: string, queue: QueueName): Promise<number | null>;
  /** Waiting jobs and live workers on one queue, for the eta. */
  load(queue: QueueName): Promise<{ waiting: number; active: number; workers: number }>;
  /** Jobs per state and the oldest waiting job's age, for each queue (metrics). */
  stats(): Promise<QueueStats[]>;
  /** The gpu-workers whose heartbeat has not expired, with the model and execution provider each runs. */
  workers(): Promise<WorkerHeartbeat[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface QueueStats {
  readonly queue: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly oldestWaitingSeconds: number;
}
