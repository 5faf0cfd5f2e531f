import { setTimeout as sleep } from 'node:timers/promises';
import {
  isLuminaApiError,
  LuminaApiError,
  type LuminaClient,
  type Operation,
  type SubmitSource,
  TaskId,
  type TaskView,
} from '@lumina/shared';

/** One input and the path its result goes to. */
export interface BatchJob {
  readonly input: string;
  readonly output: string;
}

/** The file system as the batch needs it; the CLI gives the real one (`nodeBatchFiles`). */
export interface BatchFiles {
  read(path: string): Promise<Uint8Array>;
  /** True where a finished result is already there (a non-empty file). */
  isDone(path: string): Promise<boolean>;
  /** Writes all the bytes or leaves nothing at `path`. */
  write(path: string, bytes: Uint8Array): Promise<void>;
}

/** Why a file failed: an API code, a task error code, or `file_unreadable` for a file that could not be read. */
export interface Failure {
  readonly code: string;
  readonly message: string;
}

export type FileOutcome =
  | { readonly status: 'done'; readonly job: BatchJob; readonly taskId: string; readonly creditsSpent: number }
  | { readonly status: 'skipped'; readonly job: BatchJob }
  | {
      readonly status: 'failed';
      readonly job: BatchJob;
      readonly failure: Failure;
      readonly taskId: string | null;
      /** A result that completed but could not be saved was still charged. */
      readonly creditsSpent: number;
    }
  /** Ctrl-C: canceled through the API (nothing charged), or never started. */
  | { readonly status: 'canceled'; readonly job: BatchJob; readonly taskId: string | null }
  /** Not tried, because an earlier file hit an error that every file would hit (a refused key, no credits). */
  | { readonly status: 'not_started'; readonly job: BatchJob; readonly failure: Failure };

export type BatchEvent =
  | { readonly type: 'submitted'; readonly job: BatchJob; readonly taskId: string }
  | { readonly type: 'finished'; readonly outcome: FileOutcome };

export interface BatchReport {
  readonly outcomes: readonly FileOutcome[];
  readonly creditsSpent: number;
  readonly canceled: boolean;
}

export interface RunBatchInput {
  readonly client: LuminaClient;
  readonly files: BatchFiles;
  readonly jobs: readonly BatchJob[];
  readonly operation: Operation;
  readonly params: Readonly<Record<string, string | boolean>>;
  readonly concurrency: number;
  readonly force: boolean;
  readonly maxUploadBytes: number;
  /** Aborting stops new files and cancels the tasks in flight through the API. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BatchEvent) => void;
}

/** Errors that every following file would hit too: the batch stops starting files after one of them. */
const batchStoppingCodes = new Set([
  'unauthorized',
  'forbidden',
  'insufficient_credits',
  'spending_cap_reached',
  'operation_unavailable',
  'network_error',
]);

/** How often one submit is retried after `429 rate_limited`, waiting as `Retry-After` says. */
const maxRateLimitRetries = 5;
const maxRetryAfterSeconds = 60;

/**
 * Processes every job with at most `concurrency` files in flight: skips finished outputs (unless `force`),
 * submits, follows the task, downloads the result and writes it. One file's failure never stops the others,
 * except for the errors every file would hit. Never throws for a file; the report holds each outcome.
 */
export async function runBatch(input: RunBatchInput): Promise<BatchReport> {
  const { client, files, signal } = input;
  const outcomes: FileOutcome[] = new Array(input.jobs.length);
  let stop: Failure | null = null;
  let next = 0;

  const finish = (at: number, outcome: FileOutcome) => {
    outcomes[at] = outcome;
    input.onEvent?.({ type: 'finished', outcome });
  };

  async function processJob(job: BatchJob): Promise<FileOutcome> {
    if (!input.force && (await files.isDone(job.output))) return { status: 'skipped', job };
    // A task id instead of a file continues from that task's result on the server: nothing is uploaded.
    if (TaskId.safeParse(job.input).success) return submitAndFollow(job, { sourceTaskId: job.input });
    let bytes: Uint8Array;
    try {
      bytes = await files.read(job.input);
    } catch (error) {
      return { status: 'failed', job, failure: fileFailure(error), taskId: null, creditsSpent: 0 };
    }
    if (bytes.byteLength > input.maxUploadBytes) {
      const failure = {
        code: 'upload_too_large',
        message: `The file is ${megabytes(bytes.byteLength)}; uploads may be at most ${megabytes(input.maxUploadBytes)}.`,
      };
      return { status: 'failed', job, failure, taskId: null, creditsSpent: 0 };
    }
    return submitAndFollow(job, {
      image: new Blob([bytes as Uint8Array<ArrayBuffer>]),
      filename: job.input.split(/[\\/]/).at(-1) ?? 'image',
    });
  }

  async function submitAndFollow(job: BatchJob, source: SubmitSource & { filename?: string }): Promise<FileOutcome> {
    if (signal?.aborted) return { status: 'canceled', job, taskId: null };
    // The submit is not aborted by Ctrl-C: once it answers, the task's id is known and it can be canceled.
    let taskId: string;
    try {
      taskId = await submitWithRetry(source);
    } catch (error) {
      const failure = apiFailure(error);
      if (batchStoppingCodes.has(failure.code)) stop ??= failure;
      return { status: 'failed', job, failure, taskId: null, creditsSpent: 0 };
    }
    input.onEvent?.({ type: 'submitted', job, taskId });

    let view: TaskView;
    try {
      view = signal?.aborted ? await cancel(taskId) : await client.waitForTask(taskId, { signal });
    } catch (error) {
      if (!(isLuminaApiError(error) && error.code === 'aborted')) {
        // Lost contact while waiting: the task may still finish (and be charged) on the server.
        return { status: 'failed', job, failure: apiFailure(error), taskId, creditsSpent: 0 };
      }
      try {
        view = await cancel(taskId);
      } catch (second) {
        return { status: 'failed', job, failure: apiFailure(second), taskId, creditsSpent: 0 };
      }
    }
    return settle(job, view);
  }

  async function submitWithRetry(source: SubmitSource & { filename?: string }): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const submitted = await client.submit({
          ...source,
          operation: input.operation,
          params: input.params,
        });
        return submitted.task.taskId;
      } catch (error) {
        const limited = isLuminaApiError(error) && error.code === 'rate_limited';
        if (!limited || attempt >= maxRateLimitRetries || signal?.aborted) throw error;
        const waitSeconds = Math.min(maxRetryAfterSeconds, Math.max(1, error.retryAfterSeconds ?? 1));
        await sleep(waitSeconds * 1000, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Cancels through the API; a task that finished in the meantime is taken as it ended. */
  async function cancel(taskId: string): Promise<TaskView> {
    try {
      return await client.cancelTask(taskId);
    } catch (error) {
      if (isLuminaApiError(error) && error.code === 'task_not_cancelable') return client.getTask(taskId);
      throw error;
    }
  }

  async function settle(job: BatchJob, view: TaskView): Promise<FileOutcome> {
    const taskId = view.taskId;
    if (view.status === 'CANCELED') {
      return signal?.aborted
        ? { status: 'canceled', job, taskId }
        : {
            status: 'failed',
            job,
            failure: { code: 'canceled', message: 'The task was canceled.' },
            taskId,
            creditsSpent: 0,
          };
    }
    if (view.status !== 'COMPLETED') {
      const failure = view.error ?? { code: 'internal_error', message: `The task ended as ${view.status}.` };
      return { status: 'failed', job, failure, taskId, creditsSpent: view.creditsDeducted };
    }
    try {
      if (!view.resultUrl) throw new LuminaApiError('invalid_response', 'The completed task has no result URL.');
      // Not aborted by Ctrl-C either: the result is paid for, so it is saved.
      await files.write(job.output, await client.download(view.resultUrl));
    } catch (error) {
      const failure = isLuminaApiError(error) ? apiFailure(error) : fileFailure(error, 'file_unwritable');
      return { status: 'failed', job, failure, taskId, creditsSpent: view.creditsDeducted };
    }
    return { status: 'done', job, taskId, creditsSpent: view.creditsDeducted };
  }

  async function lane(): Promise<void> {
    for (;;) {
      const at = next;
      next += 1;
      const job = input.jobs[at];
      if (!job) return;
      if (signal?.aborted) finish(at, { status: 'canceled', job, taskId: null });
      else if (stop) finish(at, { status: 'not_started', job, failure: stop });
      else finish(at, await processJob(job));
    }
  }

  const lanes = Math.max(1, Math.min(input.concurrency, input.jobs.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  const creditsSpent = outcomes.reduce(
    (sum, outcome) => sum + (outcome.status === 'done' || outcome.status === 'failed' ? outcome.creditsSpent : 0),
    0,
  );
  return { outcomes, creditsSpent, canceled: signal?.aborted ?? false };
}

function apiFailure(error: unknown): Failure {
  if (isLuminaApiError(error)) return { code: error.code, message: error.message };
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}

/** `ENOENT: no such file or directory, open '…'` → a sentence without the programmer's prefix. */
function fileFailure(error: unknown, code = 'file_unreadable'): Failure {
  const errno = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const plain: Record<string, string> = {
    ENOENT: 'There is no such file.',
    EACCES: 'Permission denied.',
    EPERM: 'Permission denied.',
    EISDIR: 'It is a folder, not a file.',
    ENOSPC: 'The disk is full.',
    EROFS: 'The folder is read-only.',
  };
  return { code, message: plain[errno] ?? (error instanceof Error ? error.message : String(error)) };
}

const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
