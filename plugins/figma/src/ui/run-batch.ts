import { explainError, runBounded, type WordedLimits } from '@lumina/plugin-core';
import type { LuminaClient, TaskView } from '@lumina/shared';
import { figmaErrorWords } from '../lib/figma-error-words.ts';
import { downscaledSize, fitsFigma, tilesOf } from '../lib/figma-limits.ts';
import type { Job, PanelSettings, ResultPiece, SelectionItem } from '../lib/messages.ts';
import { predictedOutputPx } from '../lib/operations.ts';
import type { ImageCodec } from './image-codec.ts';
import type { MainLink } from './main-link.ts';

/** A job ready to send: the designer's choice with the API parameters and the label it was turned into. */
export interface RunnableJob {
  readonly job: Job;
  readonly params: Readonly<Record<string, string | boolean>>;
  readonly label: string;
}

export type ItemPhase =
  | { readonly phase: 'waiting' }
  | { readonly phase: 'sending' }
  | { readonly phase: 'queued'; readonly position: number | null; readonly etaSeconds: number | null }
  | { readonly phase: 'processing'; readonly percent: number }
  /** The result is here and charged; the designer applies or discards it. */
  | { readonly phase: 'review' }
  | { readonly phase: 'inserting' }
  | { readonly phase: 'done'; readonly note?: string }
  | { readonly phase: 'discarded' }
  | { readonly phase: 'error'; readonly code: string; readonly message: string }
  | { readonly phase: 'canceled' };

/**
 * An earlier result worked on again ("Upscale this", "Edit again"): sent by its task id (`sourceTaskId`), so the
 * API reads its stored result and nothing is uploaded; the new result is placed against the same layer as the
 * first step's.
 */
export interface ChainedInput {
  /** The layer the first step read: the new result goes in place of or beside it, as that one's would. */
  readonly nodeId: string;
  readonly name: string;
  readonly sourceTaskId: string;
  /** That result's bytes and size: the "before" of the review, and the size the form was priced for. */
  readonly bytes: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** What a batch works on: selected layers (read by the main thread), or earlier results sent by their task id. */
export type BatchInput = SelectionItem | ChainedInput;

const isChained = (input: BatchInput): input is ChainedInput => 'sourceTaskId' in input;

export interface BatchItem {
  readonly itemId: string;
  readonly nodeId: string;
  readonly name: string;
  /** What is done to it ("Upscale 2×"). */
  readonly label: string;
  readonly taskId: string | null;
  /** The finished task whose result this item continues from; null for a layer read from the document. */
  readonly sourceTaskId: string | null;
  /** The task's result size in pixels, once it is here (before any downscale or tiling for Figma). */
  readonly resultPx: { readonly widthPx: number; readonly heightPx: number } | null;
  /** Set before sending where the result will not fit Figma whole. */
  readonly tooLargeForFigma: boolean;
  /** The bytes sent and the result, for the row's thumbnail and the before/after view. */
  readonly before: Uint8Array | null;
  readonly after: Uint8Array | null;
  readonly state: ItemPhase;
}

export interface BatchOptions {
  readonly client: LuminaClient;
  readonly link: MainLink;
  readonly codec: ImageCodec;
  readonly job: RunnableJob;
  readonly items: readonly BatchInput[];
  readonly settings: PanelSettings;
  /** Hold each result for Apply / Discard instead of placing it at once. */
  readonly review?: boolean;
  /** For words that quote the API's limits. */
  readonly limits?: WordedLimits;
  /** How many items are in flight at once (the core's bound by default). */
  readonly concurrency?: number;
  readonly onChange: (items: readonly BatchItem[]) => void;
  /** The team's credits as the API last reported them. */
  readonly onCredits?: (remaining: number) => void;
  /** A result the user chose to download rather than insert. */
  readonly onDownload?: (bytes: Uint8Array, filename: string) => void;
}

/** A task that settled without a result: its own error, worded as a task's (never charged). */
class TaskFailure extends Error {
  constructor(readonly taskError: { code: string; message: string }) {
    super(taskError.message);
  }
}

/** Added where Figma refused a result the team already paid for. */
export const chargedNote = 'The result was charged: download it from this row.';

let batchCounter = 0;

/**
 * Sends the selected layers through one job, three at a time; each item goes from waiting → sending → queued
 * (position, eta) → processing (%) → [review →] inserting → done, or to its own error in plain words. Items
 * cancel one by one or all together; a canceled task is canceled on the server too, so it is never charged.
 */
export function createBatch(options: BatchOptions) {
  batchCounter += 1;
  const prefix = `b${batchCounter}`;
  // A result is sent at its own size; a layer without an image fill is exported at the chosen scale.
  const scaleOf = (input: BatchInput) => (isChained(input) || input.hasImageFill ? 1 : options.settings.exportScale);
  const items: BatchItem[] = options.items.map((input, index) => {
    const out = predictedOutputPx(options.job.job, input.widthPx * scaleOf(input), input.heightPx * scaleOf(input));
    return {
      itemId: `${prefix}-${index}`,
      nodeId: input.nodeId,
      name: input.name,
      label: options.job.label,
      taskId: null,
      sourceTaskId: isChained(input) ? input.sourceTaskId : null,
      resultPx: null,
      tooLargeForFigma: !fitsFigma(out.widthPx, out.heightPx),
      before: isChained(input) ? input.bytes : null,
      after: null,
      state: { phase: 'waiting' },
    };
  });
  const controllers = new Map(items.map((item) => [item.itemId, new AbortController()]));
  /** Results held for review: what `apply` will place. */
  const held = new Map<string, { pieces: ResultPiece[]; widthPx: number; heightPx: number }>();

  const update = (itemId: string, patch: Partial<BatchItem>) => {
    const index = items.findIndex((item) => item.itemId === itemId);
    const current = items[index];
    if (!current) return;
    // A settled item stays settled: a late poll answer must not bring a canceled row back to life.
    if (patch.state && isSettled(current.state)) return;
    items[index] = { ...current, ...patch };
    options.onChange([...items]);
  };

  const showTask = (itemId: string, view: TaskView) => {
    if (view.status === 'QUEUED') {
      update(itemId, { state: { phase: 'queued', position: view.queuePosition, etaSeconds: view.eta } });
    } else if (view.status === 'PROCESSING') {
      update(itemId, { state: { phase: 'processing', percent: Math.round(view.progress) } });
    }
  };

  async function runOne(item: BatchItem): Promise<void> {
    const signal = controllers.get(item.itemId)?.signal;
    if (!signal || signal.aborted) return;
    const { client, link, job, settings } = options;
    update(item.itemId, { state: { phase: 'sending' } });
    // A chained step names the earlier task: no layer is read and no image is sent.
    let source: { sourceTaskId: string } | { image: Blob; filename: string };
    if (item.sourceTaskId) {
      source = { sourceTaskId: item.sourceTaskId };
    } else {
      const input = await link.readInput(item.itemId, item.nodeId, settings.exportScale);
      update(item.itemId, { before: input.bytes });
      source = {
        image: new Blob([input.bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
        filename: 'layer.png',
      };
    }
    if (signal.aborted) return;
    const submitted = await client.submit({
      ...source,
      operation: job.job.operation,
      params: job.params,
      // Not aborted mid-flight: a task the server created must be known here, so a cancel can cancel it.
    });
    if (submitted.creditsRemaining !== null) options.onCredits?.(submitted.creditsRemaining);
    update(item.itemId, {
      taskId: submitted.task.taskId,
      state: { phase: 'queued', position: submitted.task.queuePosition, etaSeconds: submitted.task.eta },
    });
    if (signal.aborted) {
      await cancelQuietly(submitted.task.taskId);
      return;
    }
    const view = await client.waitForTask(submitted.task.taskId, {
      signal,
      onUpdate: (next) => showTask(item.itemId, next),
    });
    if (view.status !== 'COMPLETED') {
      throw new TaskFailure(
        view.error ?? { code: view.status === 'CANCELED' ? 'canceled' : 'internal_error', message: '' },
      );
    }
    if (!view.resultUrl || !view.result) throw new TaskFailure({ code: 'internal_error', message: 'no result' });
    const bytes = await client.download(view.resultUrl, signal);
    const { width, height } = view.result;
    update(item.itemId, { after: bytes, resultPx: { widthPx: width, heightPx: height } });
    let pieces: ResultPiece[] = [{ bytes, x: 0, y: 0, widthPx: width, heightPx: height }];
    let size = { widthPx: width, heightPx: height };
    if (!fitsFigma(width, height)) {
      if (settings.largeResult === 'download') {
        options.onDownload?.(bytes, `${item.name} - ${job.label}.${view.result.format}`);
        update(item.itemId, { state: { phase: 'done', note: `Downloaded (${width} × ${height} px)` } });
        return;
      }
      if (settings.largeResult === 'downscale') {
        size = downscaledSize(width, height);
        pieces = [{ bytes: await options.codec.resize(bytes, size.widthPx, size.heightPx), x: 0, y: 0, ...size }];
      } else {
        const rects = tilesOf(width, height);
        const cut = await options.codec.crop(bytes, rects);
        pieces = rects.map((rect, index) => ({ ...rect, bytes: cut[index] ?? new Uint8Array() }));
      }
    }
    if (signal.aborted) return;
    held.set(item.itemId, { pieces, ...size });
    if (options.review) update(item.itemId, { state: { phase: 'review' } });
    else await apply(item.itemId);
  }

  /** Places a held result; if Figma refuses it, the row says so truthfully: it was charged, and can be downloaded. */
  async function apply(itemId: string): Promise<void> {
    const result = held.get(itemId);
    const item = items.find((candidate) => candidate.itemId === itemId);
    if (!result || !item) return;
    held.delete(itemId);
    update(itemId, { state: { phase: 'inserting' } });
    try {
      await options.link.applyResult({
        itemId,
        nodeId: item.nodeId,
        placement: options.settings.placement,
        hideOriginal: options.settings.hideOriginal,
        ...result,
        label: options.job.label,
        job: options.job.job,
      });
      update(itemId, { state: { phase: 'done' } });
    } catch (error) {
      // The task is done and paid for: say so, and the row offers the result as a download.
      const state = errorState(error);
      update(itemId, {
        state: state.phase === 'error' ? { ...state, message: `${state.message} ${chargedNote}` } : state,
      });
    }
  }

  function discard(itemId: string) {
    if (!held.delete(itemId)) return;
    update(itemId, { state: { phase: 'discarded' } });
  }

  async function cancelQuietly(taskId: string | null) {
    if (!taskId) return;
    try {
      await options.client.cancelTask(taskId);
    } catch {
      // Already settled (task_not_cancelable) or offline: nothing more to undo here.
    }
  }

  async function cancel(itemId: string) {
    const item = items.find((candidate) => candidate.itemId === itemId);
    // Once the result is here, the task is paid for: too late to cancel (discard it instead).
    if (!item || isSettled(item.state) || item.state.phase === 'inserting' || item.state.phase === 'review') return;
    controllers.get(itemId)?.abort();
    update(itemId, { state: { phase: 'canceled' } });
    await cancelQuietly(item.taskId);
  }

  const errorState = (error: unknown): ItemPhase => {
    const explained = error instanceof TaskFailure ? error.taskError : error;
    const code =
      typeof explained === 'object' && explained && 'code' in explained ? String(explained.code) : 'internal_error';
    return {
      phase: 'error',
      code,
      message: explainError(explained, { hostWords: figmaErrorWords, limits: options.limits ?? null }),
    };
  };

  return {
    items: (): readonly BatchItem[] => [...items],
    /** Runs every item; resolves once each is settled (done, error, canceled) or waiting for review. */
    async run(): Promise<readonly BatchItem[]> {
      options.onChange([...items]);
      await runBounded(items, runOne, {
        limit: options.concurrency,
        onError: (error, item) => {
          const signal = controllers.get(item.itemId)?.signal;
          update(item.itemId, { state: signal?.aborted ? { phase: 'canceled' } : errorState(error) });
        },
      });
      return [...items];
    },
    apply,
    discard,
    /** Applies every result waiting for review, one undo step each. */
    applyAll: async () => {
      for (const itemId of [...held.keys()]) await apply(itemId);
    },
    cancel,
    cancelAll: () => Promise.all(items.map((item) => cancel(item.itemId))).then(() => undefined),
  };
}

const isSettled = (state: ItemPhase) =>
  state.phase === 'done' || state.phase === 'error' || state.phase === 'canceled' || state.phase === 'discarded';
