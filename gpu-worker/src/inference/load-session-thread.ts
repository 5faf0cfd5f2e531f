import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@lumina/runtime';
import type { ExecutionProvider } from '../config.ts';
import { type ModelEntry, type ModelRegistry, readModelFile } from '../models/registry.ts';
import type { RunRequest, SessionThreadData, ThreadMessage } from './session-thread-protocol.ts';

/** A tensor as onnxruntime returned it: flat float32 data and its shape. */
export interface RawOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** What the session reports per batch it runs, for the worker's metrics. */
export interface InferenceObserver {
  /** One batch: how many inputs it stacked and how long the model took, in seconds. */
  batch(model: string, provider: ExecutionProvider, size: number, seconds: number): void;
  /** How long one input waited between being handed over and its batch starting, in seconds. */
  queueWait(model: string, seconds: number): void;
}

/** One model's onnxruntime session, living in a worker thread of its own; shape-agnostic. */
export interface SessionThread {
  /** The provider actually running the model, which is `cpu` when `cuda` was asked for and fallback allowed. */
  readonly executionProvider: ExecutionProvider;
  /**
   * Runs one inference on an input shaped `dims` (batch 1). `input` is moved: its buffer is detached. A request
   * whose `signal` aborts before its batch starts is dropped from the queue and rejects with the signal's reason.
   */
  run(input: Float32Array<ArrayBuffer>, dims: readonly number[], signal?: AbortSignal): Promise<RawOutput>;
}

export interface LoadSessionThreadOptions {
  readonly registry: ModelRegistry;
  readonly model: ModelEntry;
  readonly executionProvider: ExecutionProvider;
  readonly allowCpuFallback?: boolean;
  readonly intraOpThreads: number;
  /** The input shape of the warm-up run: the model's own size, or a small tile for a model that takes any size. */
  readonly warmUpDims: readonly number[];
  /** Inputs of the same shape waiting together are stacked into one run of up to this many (1: never). */
  readonly maxBatch?: number;
  /** How long the first input of a partial batch waits for more before it runs anyway. */
  readonly batchWaitMs?: number;
  readonly observer?: InferenceObserver;
  readonly log: Logger;
}

/** Runs at start so the first job does not pay for a cold session (see session-thread.ts). */
const warmUpRuns = 1;

const threadEntry = new URL('./session-thread-entry.mjs', import.meta.url);

// One session per model per process: several workers started in one process (tests do) share it.
const threads = new Map<string, Promise<SessionThread>>();

/** Loads (sha256-checked) and warms up a model once per process; later calls get the same session. */
export function loadSessionThread(options: LoadSessionThreadOptions): Promise<SessionThread> {
  const { registry, model, executionProvider, intraOpThreads, maxBatch = 1, batchWaitMs = 0 } = options;
  const key = [
    join(registry.dir, model.file),
    model.sha256,
    executionProvider,
    options.allowCpuFallback ?? false,
    intraOpThreads,
    maxBatch,
    batchWaitMs,
  ].join('\0');
  let thread = threads.get(key);
  if (!thread) {
    thread = startThread(options);
    threads.set(key, thread);
    thread.catch(() => threads.delete(key));
  }
  return thread;
}

async function startThread(options: LoadSessionThreadOptions): Promise<SessionThread> {
  const { registry, model, executionProvider, intraOpThreads, warmUpDims, log, maxBatch = 1 } = options;
  const modelBytes = await readModelFile(registry, model);
  const data: SessionThreadData = {
    modelBytes,
    inputName: model.input.name,
    outputName: model.output.name,
    warmUpDims,
    executionProvider,
    allowCpuFallback: options.allowCpuFallback ?? false,
    intraOpThreads,
    freeBatchDim: maxBatch > 1,
    warmUpRuns,
  };
  // The bytes are copied into the thread once (a Buffer's memory may be shared with Node's pool, so it is not
  // transferred); the main thread's copy is garbage once this function returns.
  const thread = new Worker(threadEntry, { workerData: data, name: `inference ${model.id}` });

  const ready = await new Promise<Extract<ThreadMessage, { type: 'ready' }>>((resolve, reject) => {
    const onError = (error: Error) => reject(new Error(`model ${model.id} could not be loaded: ${error.message}`));
    const onExit = (code: number) => reject(new Error(`model ${model.id}: the inference thread exited with ${code}`));
    thread.once('error', onError);
    thread.once('exit', onExit);
    thread.once('message', (message: ThreadMessage) => {
      thread.off('error', onError);
      thread.off('exit', onExit);
      if (message.type === 'ready') resolve(message);
      else reject(new Error(`model ${model.id}: unexpected first message ${message.type} from the inference thread`));
    });
  });
  if (ready.fallbackReason !== undefined) {
    log.warn(`execution provider ${executionProvider} is unavailable, falling back to cpu`, {
      model: model.id,
      reason: ready.fallbackReason,
    });
  }
  log.info('model loaded', {
    model: model.id,
    executionProvider: ready.executionProvider,
    intraOpThreads,
    maxBatch,
    batchWaitMs: options.batchWaitMs ?? 0,
    loadMs: Math.round(ready.loadMs),
    warmUpMs: Math.round(ready.warmUpMs),
  });
  return connect(thread, options, ready.executionProvider);
}

interface Waiting {
  readonly input: Float32Array<ArrayBuffer>;
  readonly dims: readonly number[];
  readonly queuedAt: number;
  readonly resolve: (output: RawOutput) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The main thread's side of the session: a queue of requests, of which the thread gets one batch at a time.
 * Keeping the queue here (not in the thread's message port) lets a canceled job's requests leave it before they
 * cost anything, and lets requests that arrive while a batch runs join the next one.
 */
function connect(
  thread: Worker,
  { model, log, observer, maxBatch = 1, batchWaitMs = 0 }: LoadSessionThreadOptions,
  executionProvider: ExecutionProvider,
): SessionThread {
  const queue: Waiting[] = [];
  let inFlight: { id: number; batch: Waiting[]; startedAt: number } | undefined;
  let waitTimer: NodeJS.Timeout | undefined;
  let nextId = 0;
  let deadReason: string | undefined;

  // An idle session must not keep the process alive; one with work in flight must.
  thread.unref();

  const fail = (reason: string) => {
    if (deadReason !== undefined) return;
    deadReason = reason;
    log.error('inference thread stopped', { model: model.id, reason });
    const error = new Error(reason);
    for (const request of [...(inFlight?.batch ?? []), ...queue.splice(0)]) request.reject(error);
    inFlight = undefined;
  };

  const sameShape = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((value, i) => value === b[i]);

  /** Starts the next batch when the thread is free: the oldest request and up to maxBatch − 1 of its shape. */
  const dispatch = () => {
    if (inFlight || deadReason !== undefined || queue.length === 0) return;
    const first = queue[0];
    if (!first) return;
    const companions = queue.filter((request) => sameShape(request.dims, first.dims)).length;
    if (companions < maxBatch && batchWaitMs > 0 && performance.now() - first.queuedAt < batchWaitMs) {
      waitTimer ??= setTimeout(
        () => {
          waitTimer = undefined;
          dispatch();
        },
        batchWaitMs - (performance.now() - first.queuedAt),
      );
      return;
    }
    if (waitTimer) clearTimeout(waitTimer);
    waitTimer = undefined;

    const batch: Waiting[] = [];
    for (let i = 0; i < queue.length && batch.length < maxBatch; ) {
      const request = queue[i];
      if (request && sameShape(request.dims, first.dims)) {
        batch.push(request);
        queue.splice(i, 1);
      } else i += 1;
    }
    const startedAt = performance.now();
    for (const request of batch) observer?.queueWait(model.id, (startedAt - request.queuedAt) / 1000);
    const [, ...rest] = first.dims;
    let input: Float32Array<ArrayBuffer>;
    if (batch.length === 1) input = first.input;
    else {
      input = new Float32Array(batch.length * first.input.length);
      for (const [i, request] of batch.entries()) input.set(request.input, i * first.input.length);
    }
    const id = nextId++;
    inFlight = { id, batch, startedAt };
    thread.ref();
    const request: RunRequest = { id, input, dims: [batch.length, ...rest] };
    thread.postMessage(request, [input.buffer]);
  };

  thread.on('error', (error) => fail(`inference thread failed: ${error.message}`));
  thread.on('exit', (code) => fail(`inference thread exited with ${code}`));
  thread.on('message', (message: ThreadMessage) => {
    if (message.type === 'ready' || !inFlight || message.id !== inFlight.id) return;
    const { batch, startedAt } = inFlight;
    inFlight = undefined;
    if (queue.length === 0) thread.unref();
    observer?.batch(model.id, executionProvider, batch.length, (performance.now() - startedAt) / 1000);
    if (message.type === 'failed') {
      const error = new Error(message.message);
      for (const request of batch) request.reject(error);
    } else {
      // The output's first dimension is the batch: each request gets its own slice, shaped as if it ran alone.
      const [count = 1, ...rest] = message.dims;
      const each = message.data.length / count;
      for (const [i, request] of batch.entries()) {
        const data = count === 1 ? message.data : message.data.subarray(i * each, (i + 1) * each);
        request.resolve({ data, dims: [1, ...rest] });
      }
    }
    dispatch();
  });

  return {
    executionProvider,
    run(input, dims, signal) {
      if (deadReason !== undefined) return Promise.reject(new Error(deadReason));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<RawOutput>((resolve, reject) => {
        const onAbort = () => {
          // Only a request still waiting can leave; one in the running batch finishes with it.
          const index = queue.indexOf(waiting);
          if (index >= 0) {
            queue.splice(index, 1);
            reject(signal?.reason);
          }
        };
        const settle =
          <T>(fn: (value: T) => void) =>
          (value: T) => {
            signal?.removeEventListener('abort', onAbort);
            fn(value);
          };
        const waiting: Waiting = {
          input,
          dims,
          queuedAt: performance.now(),
          resolve: settle(resolve),
          reject: settle(reject),
        };
        queue.push(waiting);
        signal?.addEventListener('abort', onAbort, { once: true });
        dispatch();
      });
    },
  };
}
