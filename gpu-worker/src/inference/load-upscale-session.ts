import type { Logger } from '@lumina/runtime';
import type { ExecutionProvider } from '../config.ts';
import type { ModelRegistry, UpscaleModelEntry } from '../models/registry.ts';
import { type InferenceObserver, loadSessionThread } from './load-session-thread.ts';

/** An RGB image tensor, planar (NCHW with N = 1): `channels` planes of width×height floats. */
export interface ImageTensor {
  readonly data: Float32Array;
  readonly channels: number;
  readonly width: number;
  readonly height: number;
}

/** One loaded, warmed-up image-to-image model taking tiles of any size. Its session lives in a worker thread. */
export interface UpscaleSession {
  readonly model: UpscaleModelEntry;
  /** The provider actually running the model, which is `cpu` when `cuda` was asked for but could not start. */
  readonly executionProvider: ExecutionProvider;
  /** How many tiles of one shape the session stacks into one run: a caller gains by sending that many at once. */
  readonly maxBatch: number;
  /**
   * Upscales one planar RGB tile of width×height, its values in the model's input range; the output is
   * `model.output.scale` times larger, in the output range. `input` is moved to the thread: its buffer is detached.
   */
  run(
    input: Float32Array<ArrayBuffer>,
    size: { readonly width: number; readonly height: number },
    signal?: AbortSignal,
  ): Promise<ImageTensor>;
}

export interface LoadUpscaleSessionOptions {
  readonly registry: ModelRegistry;
  readonly model: UpscaleModelEntry;
  readonly executionProvider: ExecutionProvider;
  readonly allowCpuFallback?: boolean;
  readonly intraOpThreads: number;
  /** Tiles of one shape waiting together are stacked into one run of up to this many (1: never). */
  readonly maxBatch?: number;
  /** How long the first tile of a partial batch waits for more before it runs anyway. */
  readonly batchWaitMs?: number;
  readonly observer?: InferenceObserver;
  readonly log: Logger;
}

/** Small enough to warm up in well under a second on cpu; the first run's one-off cost does not depend on size. */
const warmUpTilePx = 32;

/** Loads (sha256-checked) and warms up an upscaler once per process; later calls share its thread. */
export async function loadUpscaleSession(options: LoadUpscaleSessionOptions): Promise<UpscaleSession> {
  const { model } = options;
  const thread = await loadSessionThread({ ...options, warmUpDims: [1, 3, warmUpTilePx, warmUpTilePx] });
  const { scale } = model.output;
  return {
    model,
    executionProvider: thread.executionProvider,
    maxBatch: options.maxBatch ?? 1,
    async run(input, { width, height }, signal) {
      if (input.length !== 3 * width * height) {
        throw new Error(`a ${width}×${height} RGB tile has ${3 * width * height} values, got ${input.length}`);
      }
      const { data, dims } = await thread.run(input, [1, 3, height, width], signal);
      const [batch, channels, outHeight, outWidth] = dims;
      if (
        dims.length !== 4 ||
        batch !== 1 ||
        channels !== 3 ||
        outHeight !== height * scale ||
        outWidth !== width * scale
      ) {
        throw new Error(
          `output ${model.output.name} has dims [${dims.join(', ')}], expected [1, 3, ${height * scale}, ${width * scale}]`,
        );
      }
      return { data, channels, width: outWidth, height: outHeight };
    },
  };
}
