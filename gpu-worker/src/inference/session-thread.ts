import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ExecutionProvider } from '../config.ts';
import type { RunRequest, SessionThreadData, ThreadMessage } from './session-thread-protocol.ts';

// onnxruntime-node's `run` executes synchronously on the calling thread (the promise only wraps it), so the
// session lives here, in a worker thread, and the main thread's event loop stays free for BullMQ's lock
// renewals and for sharp while a 1024² inference takes seconds.

const data: SessionThreadData = workerData;
const port = parentPort;
if (!port) throw new Error('session-thread.ts must run in a worker thread');

const sessionOptions = (provider: ExecutionProvider): InferenceSession.SessionOptions => ({
  // onnxruntime adds its cpu provider behind cuda anyway; naming it keeps that explicit.
  executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
  graphOptimizationLevel: 'all',
  // With memory patterns on, the second run of a session is as slow as the first (it allocates the pattern
  // the first one planned); with them off, only the first is, and later runs measured the same either way.
  enableMemPattern: false,
  // Idle intra-op threads otherwise spin for a while after each run, taking cores from sharp's decode and
  // encode of the jobs around it; on this project's 2-core CPU inference measured no slower without spinning.
  extra: { session: { intra_op: { allow_spinning: '0' } } },
  ...(data.intraOpThreads > 0 ? { intraOpNumThreads: data.intraOpThreads } : {}),
  logSeverityLevel: 3,
});

async function createSession(): Promise<{
  session: InferenceSession;
  provider: ExecutionProvider;
  fallbackReason: string | undefined;
}> {
  if (data.executionProvider === 'cuda') {
    try {
      return {
        session: await InferenceSession.create(data.modelBytes, sessionOptions('cuda')),
        provider: 'cuda',
        fallbackReason: undefined,
      };
    } catch (error) {
      // Asking for cuda where its libraries are missing throws; a cpu worker is slower but still serves jobs.
      const fallbackReason = error instanceof Error ? error.message : String(error);
      return {
        session: await InferenceSession.create(data.modelBytes, sessionOptions('cpu')),
        provider: 'cpu',
        fallbackReason,
      };
    }
  }
  return {
    session: await InferenceSession.create(data.modelBytes, sessionOptions('cpu')),
    provider: 'cpu',
    fallbackReason: undefined,
  };
}

async function run(
  session: InferenceSession,
  input: Float32Array,
  dims: readonly number[],
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  // Fetch only the named output: a model may have side outputs that would otherwise be computed out and copied.
  const results = await session.run({ [data.inputName]: new Tensor('float32', input, dims) }, [data.outputName]);
  const output = results[data.outputName];
  if (!output || !(output.data instanceof Float32Array)) {
    throw new Error(`the model returned no float32 output named ${data.outputName}`);
  }
  return { data: output.data, dims: output.dims };
}

const loadStarted = performance.now();
const { session, provider, fallbackReason } = await createSession();
const loadMs = performance.now() - loadStarted;

// The first run of a fresh session is two to three times slower than the rest; pay for it before the worker
// takes a job.
const warmUpStarted = performance.now();
const warmUpSize = data.warmUpDims.reduce((a, b) => a * b, 1);
for (let i = 0; i < data.warmUpRuns; i++) await run(session, new Float32Array(warmUpSize), data.warmUpDims);
const warmUpMs = performance.now() - warmUpStarted;

const send = (message: ThreadMessage): void => port.postMessage(message);

port.on('message', async ({ id, input, dims }: RunRequest) => {
  try {
    const output = await run(session, input, dims);
    send({ type: 'output', id, data: output.data, dims: output.dims });
  } catch (error) {
    send({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
});
send({ type: 'ready', executionProvider: provider, fallbackReason, loadMs, warmUpMs });
