import type { GpuJob, WorkerHeartbeat } from '@lumina/shared';

export type JobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'completed' | 'failed' | 'missing';

export interface JobSnapshot {
  readonly state: JobState;
  /** 0–100 as last reported by the worker. */
  readonly progress: number;
  readonly returnValue: unknown;
  readonly failedReason: string | undefined;
  readonly attemptsMade: number;
}

/** The backend's view of the work queue; the BullMQ implementation is the only one, tests use it on real Redis. */
export interface TaskQueue {
  /** Adds the job with `jobId = taskId`; adding a task that is already queued does nothing. */
  enqueue(job: GpuJob): Promise<void>;
  snapshot(taskId: string): Promise<JobSnapshot>;
  /** Removes a job that is not being processed; false when it is locked by a worker. */
  remove(taskId: string): Promise<boolean>;
  /** 0-based place among waiting jobs (0 = next), or null when the job is not waiting. */
  position(taskId: string): Promise<number | null>;
  /** Waiting jobs and live workers, for the eta. */
  load(): Promise<{ waiting: number; active: number; workers: number }>;
  /** The gpu-workers whose heartbeat has not expired, with the model and execution provider each runs. */
  workers(): Promise<WorkerHeartbeat[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
