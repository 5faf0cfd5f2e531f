import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@lumina/backend/logger';
import type { ExecutionProvider } from '../config.ts';
import { type MaskModelEntry, type ModelRegistry, readModelFile } from '../models/registry.ts';
import type { RunRequest, SessionThreadData, ThreadMessage } from './session-thread-protocol.ts';

/** A model's raw output: a float tensor of width×height values (one channel). */
export interface ModelOutput {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** One loaded, warmed-up model. Its onnxruntime session lives in a worker thread of its own. */
export interface ModelSession {
  readonly model: MaskModelEntry;
  /** The provider actually running the model, which is `cpu` when `cuda` was asked for but could not start. */
  readonly executionProvider: ExecutionProvider;
  /** Runs one inference. `input` is moved to the inference thread: its buffer is detached afterwards. */
  run(input: Float32Array<ArrayBuffer>): Promise<ModelOutput>;
}

export interface LoadModelSessionOptions {
  readonly registry: ModelRegistry;
  readonly model: MaskModelEntry;
  readonly executionProvider: ExecutionProvider;
  readonly intraOpThreads: number;
  readonly log: Logger;
}

/** Runs at start so the first job does not pay for a cold session (see session-thread.ts). */
const warmUpRuns = 1;

const threadEntry = new URL('./session-thread-entry.mjs', import.meta.url);

// One session per model per process: several workers started in one process (tests do) share it.
const sessions = new Map<string, Promise<ModelSession>>();

/** Loads (sha256-checked) and warms up a model once per process; later calls get the same session. */
export function loadModelSession(options: LoadModelSessionOptions): Promise<ModelSession> {
  const { registry, model, executionProvider, intraOpThreads } = options;
  const key = [join(registry.dir, model.file), model.sha256, executionProvider, intraOpThreads].join('\0');
  let session = sessions.get(key);
  if (!session) {
    session = startSession(options);
    sessions.set(key, session);
    session.catch(() => sessions.delete(key));
  }
  return session;
}

async function startSession({
  registry,
  model,
  executionProvider,
  intraOpThreads,
  log,
}: LoadModelSessionOptions): Promise<ModelSession> {
  const modelBytes = await readModelFile(registry, model);
  const data: SessionThreadData = {
    modelBytes,
    inputName: model.input.name,
    outputName: model.output.name,
    inputDims: [1, 3, model.input.height, model.input.width],
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

function connect(
  thread: Worker,
  model: MaskModelEntry,
  executionProvider: ExecutionProvider,
  log: Logger,
): ModelSession {
  const pending = new Map<number, { resolve: (output: ModelOutput) => void; reject: (error: Error) => void }>();
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
    if (message.type === 'failed') {
      request.reject(new Error(message.message));
      return;
    }
    const [, channels, height, width] = message.dims;
    if (message.dims.length !== 4 || channels !== 1 || height === undefined || width === undefined) {
      request.reject(
        new Error(`output ${model.output.name} has dims [${message.dims.join(', ')}], expected [1, 1, h, w]`),
      );
      return;
    }
    request.resolve({ data: message.data, width, height });
  });

  return {
    model,
    executionProvider,
    run(input) {
      if (deadReason !== undefined) return Promise.reject(new Error(deadReason));
      const id = nextId++;
      return new Promise<ModelOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.ref();
        const request: RunRequest = { id, input };
        thread.postMessage(request, [input.buffer]);
      });
    },
  };
}
