import type { ExecutionProvider } from './config.ts';

export interface ThreadCounts {
  /** onnxruntime's intra-op threads, per session. */
  readonly intraOpThreads: number;
  /** libvips threads per sharp operation (`sharp.concurrency`). */
  readonly sharpConcurrency: number;
  /** Where each number came from: the machine, or the variable that overrode it. */
  readonly source: {
    readonly intraOpThreads: 'auto' | 'ORT_INTRA_OP_THREADS';
    readonly sharpConcurrency: 'auto' | 'SHARP_CONCURRENCY';
  };
}

/**
 * How many threads onnxruntime and libvips get, from the cores this process may use. Each model has one session
 * that runs one inference at a time, so on cpu that session gets every core; the jobs in flight around it decode
 * and encode at the same time, so libvips' cores are split across them. onnxruntime's own default (0) measured
 * one thread on 2-core VMs, half the speed of two. On cuda the model runs on the GPU and onnxruntime's cpu threads
 * only serve the odd unsupported node, so the cores go to libvips.
 */
export function chooseThreadCounts({
  cores,
  concurrency,
  executionProvider,
  intraOpOverride,
  sharpOverride,
}: {
  readonly cores: number;
  readonly concurrency: number;
  readonly executionProvider: ExecutionProvider;
  /** 0: choose. */
  readonly intraOpOverride: number;
  /** 0: choose. */
  readonly sharpOverride: number;
}): ThreadCounts {
  const usable = Math.max(1, Math.floor(cores));
  const autoIntraOp = executionProvider === 'cuda' ? Math.min(2, usable) : usable;
  const autoSharp = Math.max(1, Math.floor(usable / Math.min(Math.max(1, concurrency), usable)));
  return {
    intraOpThreads: intraOpOverride > 0 ? intraOpOverride : autoIntraOp,
    sharpConcurrency: sharpOverride > 0 ? sharpOverride : autoSharp,
    source: {
      intraOpThreads: intraOpOverride > 0 ? 'ORT_INTRA_OP_THREADS' : 'auto',
      sharpConcurrency: sharpOverride > 0 ? 'SHARP_CONCURRENCY' : 'auto',
    },
  };
}
