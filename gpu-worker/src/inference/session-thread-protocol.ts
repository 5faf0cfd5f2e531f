import type { ExecutionProvider } from '../config.ts';

/** What the inference thread is started with. */
export interface SessionThreadData {
  readonly modelBytes: Uint8Array;
  readonly inputName: string;
  readonly outputName: string;
  /** The input shape the session is warmed up with: the model's fixed size, or a small tile for any-size models. */
  readonly warmUpDims: readonly number[];
  readonly executionProvider: ExecutionProvider;
  /** When cuda cannot load: run on cpu (true) or fail to start (false). */
  readonly allowCpuFallback: boolean;
  readonly intraOpThreads: number;
  /** Make the first dimension free, so inputs can be stacked into one batch (see free-batch-dim.ts). */
  readonly freeBatchDim: boolean;
  readonly warmUpRuns: number;
}

/** Main → thread: one inference of an input shaped `dims`. `input`'s buffer is transferred. */
export interface RunRequest {
  readonly id: number;
  readonly input: Float32Array<ArrayBuffer>;
  readonly dims: readonly number[];
}

/** Thread → main. */
export type ThreadMessage =
  | {
      readonly type: 'ready';
      readonly executionProvider: ExecutionProvider;
      /** Set when the asked-for provider could not start and the session runs on cpu instead. */
      readonly fallbackReason: string | undefined;
      readonly loadMs: number;
      readonly warmUpMs: number;
    }
  | { readonly type: 'output'; readonly id: number; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
