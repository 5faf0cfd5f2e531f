import { LuminaApiError, type LuminaClient, type TaskView } from '@lumina/shared';
import { downscaledSize, fitsFigma, tilesOf } from '../lib/figma-limits.ts';
import type { Placement, ResultPiece, SelectionItem } from '../lib/messages.ts';
import { type Job, predictedOutputPx } from '../lib/operations.ts';
import type { ImageCodec } from './image-codec.ts';
import { ItemError, type MainLink } from './main-link.ts';

/** What to do with a result over Figma's 4096 px limit. */
export type LargeResult = 'downscale' | 'tiles' | 'download';

export interface BatchSettings {
  readonly placement: Placement;
  readonly hideOriginal: boolean;
  readonly exportScale: number;
  readonly largeResult: LargeResult;
}

export type ItemPhase =
  | { readonly phase: 'waiting' }
  | { readonly phase: 'sending' }
  | { readonly phase: 'queued'; readonly position: number | null; readonly etaSeconds: number | null }
  | { readonly phase: 'processing'; readonly percent: number }
  | { readonly phase: 'inserting' }
  | { readonly phase: 'done'; readonly note?: string }
  | { readonly phase: 'error'; readonly code: string; readonly message: string }
  | { readonly phase: 'canceled' };

export interface BatchItem {
  readonly itemId: string;
  readonly nodeId: string;
  readonly name: string;
  readonly taskId: string | null;
  /** Set before sending where the result will not fit Figma whole. */
  readonly tooLargeForFigma: boolean;
  readonly state: ItemPhase;
}

export interface BatchOptions {
  readonly client: LuminaClient;
  readonly link: MainLink;
  readonly codec: ImageCodec;
  readonly job: Job;
  readonly items: readonly SelectionItem[];
  readonly settings: BatchSettings;
  /** How many items are in flight at once. */
  readonly concurrency?: number;
  readonly onChange: (items: readonly BatchItem[]) => void;
  /** The team's credits as the API last reported them. */
  readonly onCredits?: (remaining: number) => void;
  /** A result the user chose to download rather than insert. */
  readonly onDownload?: (bytes: Uint8Array, filename: string) => void;
}

let batchCounter = 0;

/**
 * Sends the selected layers through one operation, a few at a time; each item goes from waiting → sending →
 * queued (position, eta) → processing (%) → inserting → done, or to its own error. Items cancel one by one or
 * all together; a canceled task is canceled on the server too, so it is never charged.
 */
export function createBatch(options: BatchOptions) {
  batchCounter += 1;
  const prefix = `b${batchCounter}`;
  const items: BatchItem[] = options.items.map((item, index) => {
    const out = predictedOutputPx(options.job, item.widthPx * scaleOf(item), item.heightPx * scaleOf(item));
    return {
      itemId: `${prefix}-${index}`,
      nodeId: item.nodeId,
      name: item.name,
      taskId: null,
      tooLargeForFigma: !fitsFigma(out.widthPx, out.heightPx),
      state: { phase: 'waiting' },
    };
  });
  function scaleOf(item: SelectionItem) {
    return item.hasImageFill ? 1 : options.settings.exportScale;
  }
  const controllers = new Map(items.map((item) => [item.itemId, new AbortController()]));

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
    const input = await link.readInput(item.itemId, item.nodeId, settings.exportScale);
    if (signal.aborted) return;
    const submitted = await client.submit({
      image: new Blob([input.bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
      operation: job.operation,
      params: job.params,
      filename: 'layer.png',
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
      const code = view.error?.code ?? (view.status === 'CANCELED' ? 'canceled' : 'internal_error');
      throw new ItemError(code, view.error?.message ?? view.status);
    }
    if (!view.resultUrl || !view.result) throw new ItemError('internal_error', 'The task finished without a result.');
    const bytes = await client.download(view.resultUrl, signal);
    update(item.itemId, { state: { phase: 'inserting' } });
    const { width, height } = view.result;
    let pieces: ResultPiece[] = [{ bytes, x: 0, y: 0, widthPx: width, heightPx: height }];
    let size = { widthPx: width, heightPx: height };
    if (!fitsFigma(width, height)) {
      if (settings.largeResult === 'download') {
        options.onDownload?.(bytes, `${item.name} - ${job.label}.${view.result.format}`);
        update(item.itemId, { state: { phase: 'done', note: `Downloaded (${width}×${height} px)` } });
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
    await link.applyResult({
      itemId: item.itemId,
      nodeId: item.nodeId,
      placement: settings.placement,
      hideOriginal: settings.hideOriginal,
      ...size,
      pieces,
      label: job.label,
    });
    update(item.itemId, { state: { phase: 'done' } });
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
    // Once the result is being inserted, the task is paid for and the layer is changing: too late to cancel.
    if (!item || isSettled(item.state) || item.state.phase === 'inserting') return;
    controllers.get(itemId)?.abort();
    update(itemId, { state: { phase: 'canceled' } });
    await cancelQuietly(item.taskId);
  }

  return {
    items: (): readonly BatchItem[] => [...items],
    /** Runs every item; resolves once all are settled (done, error or canceled). */
    async run(): Promise<readonly BatchItem[]> {
      options.onChange([...items]);
      const queue = [...items];
      const concurrency = Math.max(1, options.concurrency ?? 3);
      const lane = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          try {
            await runOne(next);
          } catch (error) {
            const signal = controllers.get(next.itemId)?.signal;
            if (signal?.aborted) update(next.itemId, { state: { phase: 'canceled' } });
            else update(next.itemId, { state: errorState(error) });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, lane));
      return [...items];
    },
    cancel,
    cancelAll: () => Promise.all(items.map((item) => cancel(item.itemId))).then(() => undefined),
  };
}

const isSettled = (state: ItemPhase) => state.phase === 'done' || state.phase === 'error' || state.phase === 'canceled';

function errorState(error: unknown): ItemPhase {
  if (error instanceof ItemError || error instanceof LuminaApiError) {
    return { phase: 'error', code: error.code, message: error.message };
  }
  return { phase: 'error', code: 'internal_error', message: String(error) };
}
