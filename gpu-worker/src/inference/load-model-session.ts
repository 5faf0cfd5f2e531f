import type { Logger } from '@lumina/runtime';
import type { ExecutionProvider } from '../config.ts';
import type { MaskModelEntry, ModelRegistry } from '../models/registry.ts';
import { type InferenceObserver, loadSessionThread } from './load-session-thread.ts';

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
  /**
   * Runs one inference, possibly stacked with other jobs' inputs into one batch. `input` is moved to the inference
   * thread: its buffer is detached afterwards. Aborting `signal` drops the request if its batch has not started.
   */
  run(input: Float32Array<ArrayBuffer>, signal?: AbortSignal): Promise<ModelOutput>;
}

export interface LoadModelSessionOptions {
  readonly registry: ModelRegistry;
  readonly model: MaskModelEntry;
  readonly executionProvider: ExecutionProvider;
  readonly allowCpuFallback?: boolean;
  readonly intraOpThreads: number;
  readonly maxBatch?: number;
  readonly batchWaitMs?: number;
  readonly observer?: InferenceObserver;
  readonly log: Logger;
}

/** Loads (sha256-checked) and warms up a mask model once per process; later calls share its thread. */
export async function loadModelSession(options: LoadModelSessionOptions): Promise<ModelSession> {
  const { model } = options;
  const inputDims = [1, 3, model.input.height, model.input.width];
  const thread = await loadSessionThread({ ...options, warmUpDims: inputDims });
  return {
    model,
    executionProvider: thread.executionProvider,
    async run(input, signal) {
      const { data, dims } = await thread.run(input, inputDims, signal);
      const [, channels, height, width] = dims;
      if (dims.length !== 4 || channels !== 1 || height === undefined || width === undefined) {
        throw new Error(`output ${model.output.name} has dims [${dims.join(', ')}], expected [1, 1, h, w]`);
      }
      return { data, width, height };
    },
  };
}
