import { explainError, type WordedLimits } from '@lumina/plugin-core';
import type { LuminaClient, Operation } from '@lumina/shared';
import { fitsExpressImport } from '../lib/crop-rect.ts';
import { type ExpressFailureCode, expressWords } from '../lib/express-words.ts';
import type { Placement, SelectedItem } from '../lib/sandbox-contract.ts';
import { type UploadContext, uploadRefusal } from '../lib/upload-refusal.ts';
import { cropToItem } from './crop-image.ts';
import type { PageRendition, PanelHost, SandboxClient } from './express-host.ts';

/** Where an image comes from: what the designer picked, or (`chained`) an earlier result, sent by its task id. */
export type PlacedSource =
  | { readonly kind: 'selection'; readonly item: SelectedItem }
  | { readonly kind: 'file'; readonly file: File };

export type JobSource =
  | PlacedSource
  /**
   * A held result worked on again ("Upscale this", "Edit again"): the API takes the earlier task's stored result
   * as input (`sourceTaskId`), nothing is uploaded again; `input` is that result, the "before" of the comparison;
   * the new result is placed as the first one would have been, against `origin`.
   */
  | { readonly kind: 'chained'; readonly sourceTaskId: string; readonly input: Blob; readonly origin: PlacedSource };

/**
 * `waiting`: in the batch queue, not sent yet; `ready`: the result is in and waits for Apply or Discard;
 * `not-placed`: charged, but Express did not take it (it can still be dragged or downloaded).
 */
export type JobStatus =
  | 'waiting'
  | 'preparing'
  | 'queued'
  | 'processing'
  | 'ready'
  | 'placing'
  | 'done'
  | 'discarded'
  | 'not-placed'
  | 'failed'
  | 'canceled';

export interface JobResult {
  readonly blob: Blob;
  readonly taskId: string;
  readonly operation: Operation;
  readonly creditsCharged: number;
  readonly width: number;
  readonly height: number;
}

export type PlacedAs = 'replace' | 'beside' | 'added';

export interface JobUpdate {
  readonly status: JobStatus;
  readonly progress?: number;
  readonly taskId?: string;
  /** What was sent: the "before" of the comparison and the row's thumbnail. */
  readonly input?: Blob;
  readonly error?: { code: string; message: string };
  readonly result?: JobResult;
  readonly creditsRemaining?: number;
}

export interface JobRequest {
  readonly source: JobSource;
  readonly operation: Operation;
  readonly params: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly signal: AbortSignal;
}

export interface JobDeps {
  readonly client: LuminaClient;
  readonly host: PanelHost;
  readonly sandbox: SandboxClient;
  readonly limits: WordedLimits;
  /** One rendition of the current page for a whole batch. */
  readonly page: () => Promise<PageRendition>;
  /** Express's export rules for this batch; `pageHasPremiumContent` from the page's metadata. */
  readonly rules: () => Promise<
    Pick<UploadContext, 'documentExportAllowed' | 'userIsPremium' | 'pageHasPremiumContent'>
  >;
}

/** A failure of the add-on's own, worded by `expressWords`. */
class ExpressFailure extends Error {
  constructor(readonly code: ExpressFailureCode) {
    super(expressWords[code]);
  }
}

const wordsFor = (error: unknown, limits: WordedLimits) => explainError(error, { limits, hostWords: expressWords });

async function inputOf(source: PlacedSource, deps: JobDeps, signal: AbortSignal): Promise<Blob> {
  if (source.kind === 'file') return source.file;
  const { item } = source;
  const rules = await deps.rules();
  const refuse = (context: UploadContext) => {
    const refusal = uploadRefusal(context);
    if (refusal) throw new ExpressFailure(refusal.code);
  };
  if (item.luminaTaskId) {
    // An image Lumina inserted: its exact pixels are the earlier result, no rendition needed.
    refuse({ source: 'lumina-result', ...rules, mediaExportable: item.mediaExportable });
    const earlier = await deps.client.getTask(item.luminaTaskId, signal).catch(() => null);
    if (earlier?.status === 'COMPLETED' && earlier.resultUrl) {
      return new Blob([(await deps.client.download(earlier.resultUrl, signal)).slice()], { type: 'image/png' });
    }
  }
  if (__LUMINA_EXPERIMENTAL_APIS__ && item.kind === 'image') {
    // The experimental build reads the image's own pixels (full resolution, nothing on top of it).
    refuse({ source: 'document-media', ...rules, mediaExportable: item.mediaExportable });
    const media = await deps.sandbox.readMedia({ nodeId: item.nodeId });
    if (media.ok) return new Blob([await media.image.arrayBuffer()], { type: media.image.type || 'image/png' });
    if (media.code === 'premium_content') throw new ExpressFailure('premium_content');
  }
  // The page's metadata and the review state need no rendition: refuse before asking Express to render anything.
  refuse({ source: 'page-rendition', ...rules, mediaExportable: item.mediaExportable });
  let page: PageRendition;
  try {
    page = await deps.page();
  } catch {
    throw new ExpressFailure('rendition_failed');
  }
  refuse({
    source: 'page-rendition',
    ...rules,
    pageHasPremiumContent: rules.pageHasPremiumContent || page.hasPremiumContent,
    mediaExportable: item.mediaExportable,
  });
  const cropped = await cropToItem(page.blob, item);
  if (!cropped) throw new ExpressFailure('nothing_to_send');
  return cropped;
}

/**
 * One image through Lumina up to its result: read the input (file, earlier result, or the page rendition cropped
 * to the element), check Express's export rules, submit, follow the task and download the result. Nothing goes
 * into the document here: the person sees before and after, then applies or discards (`applyResult`).
 */
export async function runJob(request: JobRequest, deps: JobDeps, update: (u: JobUpdate) => void): Promise<void> {
  const { signal } = request;
  let taskId: string | undefined;
  try {
    update({ status: 'preparing', progress: 0 });
    const { source } = request;
    const submitted = await (source.kind === 'chained'
      ? submitChained(source, request, deps, update)
      : submitImage(source, request, deps, update));
    taskId = submitted.task.taskId;
    update({
      status: 'queued',
      taskId,
      progress: 0,
      ...(submitted.creditsRemaining === null ? {} : { creditsRemaining: submitted.creditsRemaining }),
    });
    const view = await deps.client.waitForTask(taskId, {
      signal,
      minPollMs: 300,
      maxPollMs: 2_000,
      onUpdate: (v) => {
        if (v.status === 'PROCESSING' || v.status === 'QUEUED') {
          update({ status: v.status === 'QUEUED' ? 'queued' : 'processing', progress: v.progress });
        }
      },
    });
    if (view.status === 'CANCELED') {
      return update({ status: 'canceled', error: { code: 'canceled', message: wordsFor('canceled', deps.limits) } });
    }
    if (view.status === 'FAILED' || !view.resultUrl) {
      const error = view.error ?? { code: 'internal_error', message: '' };
      return update({ status: 'failed', error: { code: error.code, message: wordsFor(error, deps.limits) } });
    }
    const blob = new Blob([(await deps.client.download(view.resultUrl, signal)).slice()], {
      type: `image/${view.result?.format ?? 'png'}`,
    });
    update({
      status: 'ready',
      progress: 100,
      result: {
        blob,
        taskId: view.taskId,
        operation: view.operation,
        creditsCharged: view.creditsDeducted,
        width: view.result?.width ?? 0,
        height: view.result?.height ?? 0,
      },
    });
  } catch (error) {
    if (signal.aborted) {
      // Stop waiting and release the credits: a canceled task is never charged.
      if (taskId) await deps.client.cancelTask(taskId).catch(() => undefined);
      return update({ status: 'canceled', error: { code: 'canceled', message: wordsFor('canceled', deps.limits) } });
    }
    update({ status: 'failed', error: { code: codeOf(error), message: wordsFor(error, deps.limits) } });
  }
}

/** A chained step sends the earlier task's id instead of pixels: the API reads its stored result. */
function submitChained(
  source: Extract<JobSource, { kind: 'chained' }>,
  request: JobRequest,
  deps: JobDeps,
  update: (u: JobUpdate) => void,
) {
  update({ status: 'preparing', input: source.input });
  return deps.client.submit({
    sourceTaskId: source.sourceTaskId,
    operation: request.operation,
    params: request.params,
    signal: request.signal,
  });
}

async function submitImage(source: PlacedSource, request: JobRequest, deps: JobDeps, update: (u: JobUpdate) => void) {
  const image = await inputOf(source, deps, request.signal);
  update({ status: 'preparing', input: image });
  return deps.client.submit({
    image,
    operation: request.operation,
    params: request.params,
    filename: source.kind === 'file' ? source.file.name : 'selection.png',
    signal: request.signal,
  });
}

const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : 'internal_error';

export type ApplyOutcome =
  | { readonly placed: true; readonly placedAs: PlacedAs; readonly nodeId: string | null }
  | { readonly placed: false; readonly code: ExpressFailureCode };

/**
 * Puts an accepted result into the document: a file's result is added to the page; an element's goes beside it
 * (inside its artboard) or replaces it. The task is already charged, so anything Express refuses or throws is
 * answered as "not placed", never as a failure that would read as "not charged".
 */
export async function applyResult(
  from: JobSource,
  result: JobResult,
  placement: Placement,
  deps: Pick<JobDeps, 'host' | 'sandbox'>,
): Promise<ApplyOutcome> {
  if (!fitsExpressImport(result)) return { placed: false, code: 'too_large_to_import' };
  const source = placedSourceOf(from);
  try {
    if (source.kind === 'file') {
      await deps.host.addImage({ blob: result.blob, title: `Lumina ${result.operation}`, taskId: result.taskId });
      return { placed: true, placedAs: 'added', nodeId: null };
    }
    const chosen = placement === 'replace' && source.item.replaceable ? 'replace' : 'beside';
    const outcome = await deps.sandbox.placeResult({
      nodeId: source.item.nodeId,
      placement: chosen,
      image: result.blob,
      taskId: result.taskId,
    });
    if (outcome.ok) return { placed: true, placedAs: outcome.placement, nodeId: outcome.nodeId };
    return { placed: false, code: outcome.code };
  } catch {
    return { placed: false, code: 'not_placed' };
  }
}

/** What a job's result is placed against: its own selection or file, or for a chained job the first one's. */
export const placedSourceOf = (source: JobSource): PlacedSource => (source.kind === 'chained' ? source.origin : source);
