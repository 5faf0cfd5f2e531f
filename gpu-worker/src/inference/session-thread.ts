import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ExecutionProvider } from '../config.ts';
import { freeBatchDim } from './free-batch-dim.ts';
import type { RunRequest, SessionThreadData, ThreadMessage } from './session-thread-protocol.ts';

// onnxruntime-node's `run` executes synchronously on the calling thread (the promise only wraps it), so the
// session lives here, in a worker thread, and the main thread's event loop stays free for BullMQ's lock
// renewals and for sharp while a 1024² inference takes seconds. This thread is the session's only user: it runs
// one request at a time, and the main thread hands it the next only when the last one is back.

const data: SessionThreadData = workerData;
const port = parentPort;
if (!port) throw new Error('session-thread.ts must run in a worker thread');

const cpuOptions: InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  // With memory patterns on, the second run of a session is as slow as the first (it allocates the pattern
  // the first one planned); with them off, only the first is, and later runs measured the same either way.
  enableMemPattern: false,
  // Idle intra-op threads otherwise spin for a while after each run, taking cores from sharp's decode and
  // encode of the jobs around it; on this project's 2-core CPU inference measured no slower without spinning.
  extra: { session: { intra_op: { allow_spinning: '0' } } },
  intraOpNumThreads: data.intraOpThreads,
  // One inference uses the intra-op pool; the graph's branches run one after another.
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
};

/**
 * CUDA: the fp16 model as it is (the GPU runs fp16 natively); device memory planned once per shape (memory
 * patterns on, the cpu arena kept for the odd node that falls back). onnxruntime-node 1.30 passes only `deviceId`
 * to the CUDA provider, so cuDNN's convolution search stays its default, exhaustive, which suits ISNet's one
 * shape; IO binding is not exposed by the Node binding, so inputs and outputs are copied once per batch.
 */
const cudaOptions: InferenceSession.SessionOptions = {
  // onnxruntime adds its cpu provider behind cuda anyway; naming it keeps that explicit.
  executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'],
  graphOptimizationLevel: 'all',
  enableMemPattern: true,
  enableCpuMemArena: true,
  intraOpNumThreads: data.intraOpThreads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
};

// On Linux a thread's nice value is its own and the threads it starts inherit it, so lowering it here, before the
// session makes its intra-op pool, leaves the job loop (BullMQ's lock renewals, Redis, storage) ahead of the model
// when the cores are short; the model still gets every idle cycle. Not permitted everywhere, and never essential.
try {
  setPriority(0, 10);
} catch {}

const modelBytes = data.freeBatchDim ? freeBatchDim(data.modelBytes) : data.modelBytes;

async function createSession(): Promise<{
  session: InferenceSession;
  provider: ExecutionProvider;
  fallbackReason: string | undefined;
}> {
  if (data.executionProvider === 'cuda') {
    try {
      return {
        session: await InferenceSession.create(modelBytes, cudaOptions),
        provider: 'cuda',
        fallbackReason: undefined,
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A GPU host that silently runs on cpu is ~100× slower while looking healthy: refuse unless told otherwise.
      if (!data.allowCpuFallback) {
        throw new Error(
          `the cuda execution provider could not load (${reason}); set LUMINA_ALLOW_CPU_FALLBACK=true to run on cpu instead`,
        );
      }
      return {
        session: await InferenceSession.create(modelBytes, cpuOptions),
        provider: 'cpu',
        fallbackReason: reason,
      };
    }
  }
  return { session: await InferenceSession.create(modelBytes, cpuOptions), provider: 'cpu', fallbackReason: undefined };
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
