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

/** One model's onnxruntime session, living in a worker thread of its own; shape-agnostic. */
export interface SessionThread {
  /** The provider actually running the model, which is `cpu` when `cuda` was asked for but could not start. */
  readonly executionProvider: ExecutionProvider;
  /** Runs one inference on an input shaped `dims`. `input` is moved to the thread: its buffer is detached. */
  run(input: Float32Array<ArrayBuffer>, dims: readonly number[]): Promise<RawOutput>;
}

export interface LoadSessionThreadOptions {
  readonly registry: ModelRegistry;
  readonly model: ModelEntry;
  readonly executionProvider: ExecutionProvider;
  readonly intraOpThreads: number;
  /** The input shape of the warm-up run: the model's own size, or a small tile for a model that takes any size. */
  readonly warmUpDims: readonly number[];
  readonly log: Logger;
}

/** Runs at start so the first job does not pay for a cold session (see session-thread.ts). */
const warmUpRuns = 1;

const threadEntry = new URL('./session-thread-entry.mjs', import.meta.url);

// One session per model per process: several workers started in one process (tests do) share it.
const threads = new Map<string, Promise<SessionThread>>();

/** Loads (sha256-checked) and warms up a model once per process; later calls get the same session. */
export function loadSessionThread(options: LoadSessionThreadOptions): Promise<SessionThread> {
  const { registry, model, executionProvider, intraOpThreads } = options;
  const key = [join(registry.dir, model.file), model.sha256, executionProvider, intraOpThreads].join('\0');
  let thread = threads.get(key);
  if (!thread) {
    thread = startThread(options);
    threads.set(key, thread);
    thread.catch(() => threads.delete(key));
  }
  return thread;
}

async function startThread({
  registry,
  model,
  executionProvider,
  intraOpThreads,
  warmUpDims,
  log,
}: LoadSessionThreadOptions): Promise<SessionThread> {
  const modelBytes = await readModelFile(registry, model);
  const data: SessionThreadData = {
    modelBytes,
    inputName: model.input.name,
    outputName: model.output.name,
    warmUpDims,
    executionProvider,
    intraOpThreads,
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
    loadMs: Math.round(ready.loadMs),
    warmUpMs: Math.round(ready.warmUpMs),
  });
  return connect(thread, model, ready.executionProvider, log);
}

function connect(thread: Worker, model: ModelEntry, executionProvider: ExecutionProvider, log: Logger): SessionThread {
  const pending = new Map<number, { resolve: (output: RawOutput) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let deadReason: string | undefined;

  // An idle session must not keep the process alive; one with work in flight must.
  thread.unref();

  const fail = (reason: string) => {
    if (deadReason !== undefined) return;
    deadReason = reason;
    log.error('inference thread stopped', { model: model.id, reason });
    for (const { reject } of pending.values()) reject(new Error(reason));
    pending.clear();
  };
  thread.on('error', (error) => fail(`inference thread failed: ${error.message}`));
  thread.on('exit', (code) => fail(`inference thread exited with ${code}`));
  thread.on('message', (message: ThreadMessage) => {
    if (message.type === 'ready') return;
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    if (pending.size === 0) thread.unref();
    if (message.type === 'failed') request.reject(new Error(message.message));
    else request.resolve({ data: message.data, dims: message.dims });
  });

  return {
    executionProvider,
    run(input, dims) {
      if (deadReason !== undefined) return Promise.reject(new Error(deadReason));
      const id = nextId++;
      return new Promise<RawOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.ref();
        const request: RunRequest = { id, input, dims };
        thread.postMessage(request, [input.buffer]);
      });
    },
  };
}
