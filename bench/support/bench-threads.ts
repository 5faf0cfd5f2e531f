import { loadWorkerConfig } from '@lumina/gpu-worker';
import sharp from 'sharp';

/**
 * The thread settings the worker would choose on this machine (ORT_INTRA_OP_THREADS, SHARP_CONCURRENCY and
 * WORKER_CONCURRENCY read as the worker reads them), applied to sharp; returns them as one line for the output.
 */
export function benchThreads(): string {
  const config = loadWorkerConfig(process.env);
  sharp.concurrency(config.threads.sharpConcurrency);
  return `threads: ${config.cores} cores, onnxruntime intra-op ${config.threads.intraOpThreads} (${config.threads.source.intraOpThreads}), sharp ${sharp.concurrency()} (${config.threads.source.sharpConcurrency}), WORKER_CONCURRENCY ${config.concurrency}, provider ${config.executionProvider}, batch ≤ ${config.inference.maxBatch} (wait ${config.inference.batchWaitMs} ms)`;
}

/** The batching the worker would give a session on this machine (INFERENCE_MAX_BATCH, INFERENCE_BATCH_WAIT_MS). */
export const benchBatching = (): { maxBatch: number; batchWaitMs: number } => {
  const { maxBatch, batchWaitMs } = loadWorkerConfig(process.env).inference;
  return { maxBatch, batchWaitMs };
};

/** The onnxruntime intra-op threads the worker would give a session on this machine. */
export const benchIntraOpThreads = (): number => loadWorkerConfig(process.env).threads.intraOpThreads;
