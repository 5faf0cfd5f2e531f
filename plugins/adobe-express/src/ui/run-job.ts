import type { Operation, TaskView } from '@lumina/shared';
import { isLuminaApiError, type LuminaClient } from '@lumina/shared';
import { fitsExpressImport } from '../lib/crop-rect.ts';
import { plainWords } from '../lib/plain-words.ts';
import type { Placement, SelectedItem } from '../lib/sandbox-contract.ts';
import { type UploadContext, uploadRefusal } from '../lib/upload-refusal.ts';
import { cropToItem } from './crop-image.ts';
import type { PageRendition, PanelHost, SandboxClient } from './express-host.ts';

export type JobSource =
  | { readonly kind: 'selection'; readonly item: SelectedItem }
  | { readonly kind: 'file'; readonly file: File };

export type JobStatus = 'preparing' | 'queued' | 'processing' | 'placing' | 'done' | 'failed' | 'canceled';

export interface JobResult {
  readonly blob: Blob;
  readonly taskId: string;
  readonly placedAs: 'replace' | 'beside' | 'added' | 'not-placed';
}

export interface JobUpdate {
  readonly status: JobStatus;
  readonly progress?: number;
  readonly taskId?: string;
  readonly error?: { code: string; message: string };
  readonly result?: JobResult;
  readonly creditsRemaining?: number;
}

export interface JobRequest {
  readonly source: JobSource;
  readonly operation: Operation;
  readonly params: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly placement: Placement;
  readonly signal: AbortSignal;
}

export interface JobDeps {
  readonly client: LuminaClient;
  readonly host: PanelHost;
  readonly sandbox: SandboxClient;
  /** One rendition of the current page for a whole batch. */
  readonly page: () => Promise<PageRendition>;
  /** Express's export rules for this batch; `pageHasPremiumContent` from the page's metadata. */
  readonly rules: () => Promise<
    Pick<UploadContext, 'documentExportAllowed' | 'userIsPremium' | 'pageHasPremiumContent'>
  >;
}

/** A failure with a code `plainWords` knows. */
class JobFailure extends Error {
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? plainWords(code));
  }
}

async function inputOf(source: JobSource, deps: JobDeps, signal: AbortSignal): Promise<Blob> {
  if (source.kind === 'file') return source.file;
  const { item } = source;
  const rules = await deps.rules();
  const refuse = (context: UploadContext) => {
    const refusal = uploadRefusal(context);
    if (refusal) throw new JobFailure(refusal.code, refusal.message);
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
    if (media.code === 'premium_content') throw new JobFailure('premium_content');
  }
  // The page's metadata and the review state need no rendition: refuse before asking Express to render anything.
  refuse({ source: 'page-rendition', ...rules, mediaExportable: item.mediaExportable });
  let page: PageRendition;
  try {
    page = await deps.page();
  } catch {
    throw new JobFailure('rendition_failed');
  }
  refuse({
    source: 'page-rendition',
    ...rules,
    pageHasPremiumContent: rules.pageHasPremiumContent || page.hasPremiumContent,
    mediaExportable: item.mediaExportable,
  });
  const cropped = await cropToItem(page.blob, item);
  if (!cropped) throw new JobFailure('nothing_to_send');
  return cropped;
}

async function place(source: JobSource, blob: Blob, view: TaskView, request: JobRequest, deps: JobDeps) {
  const taskId = view.taskId;
  if (view.result && !fitsExpressImport(view.result)) return 'not-placed' as const;
  const title = `Lumina ${view.operation}`;
  if (source.kind === 'file') {
    await deps.host.addImage({ blob, title, taskId });
    return 'added' as const;
  }
  const placement = request.placement === 'replace' && source.item.replaceable ? 'replace' : 'beside';
  const outcome = await deps.sandbox.placeResult({ nodeId: source.item.nodeId, placement, image: blob, taskId });
  if (outcome.ok) return outcome.placement;
  if (outcome.code === 'node_gone') {
    await deps.host.addImage({ blob, title, taskId });
    return 'added' as const;
  }
  throw new JobFailure(outcome.code, outcome.message);
}

/**
 * One image through Lumina: read the input (file, earlier result, or the page rendition cropped to the element),
 * check Express's export rules, submit, follow the task, download the result and put it into the document.
 */
export async function runJob(request: JobRequest, deps: JobDeps, update: (u: JobUpdate) => void): Promise<void> {
  const { signal } = request;
  let taskId: string | undefined;
  try {
    update({ status: 'preparing', progress: 0 });
    const image = await inputOf(request.source, deps, signal);
    const submitted = await deps.client.submit({
      image,
      operation: request.operation,
      params: request.params,
      filename: request.source.kind === 'file' ? request.source.file.name : 'selection.png',
      signal,
    });
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
    if (view.status === 'CANCELED')
      return update({ status: 'canceled', error: { code: 'canceled', message: plainWords('canceled') } });
    if (view.status === 'FAILED' || !view.resultUrl) {
      const code = view.error?.code ?? 'internal_error';
      return update({ status: 'failed', error: { code, message: plainWords(code, view.error?.message) } });
    }
    update({ status: 'placing', progress: 100 });
    const blob = new Blob([(await deps.client.download(view.resultUrl, signal)).slice()], {
      type: `image/${view.result?.format ?? 'png'}`,
    });
    const placedAs = await place(request.source, blob, view, request, deps);
    update({
      status: 'done',
      progress: 100,
      result: { blob, taskId: view.taskId, placedAs },
      ...(placedAs === 'not-placed'
        ? { error: { code: 'too_large_to_import', message: plainWords('too_large_to_import') } }
        : {}),
    });
  } catch (error) {
    if (signal.aborted) {
      // Stop waiting and release the credits: a canceled task is never charged.
      if (taskId) await deps.client.cancelTask(taskId).catch(() => undefined);
      return update({ status: 'canceled', error: { code: 'canceled', message: plainWords('canceled') } });
    }
    if (error instanceof JobFailure)
      return update({ status: 'failed', error: { code: error.code, message: error.message } });
    if (isLuminaApiError(error)) {
      return update({ status: 'failed', error: { code: error.code, message: plainWords(error.code, error.message) } });
    }
    update({ status: 'failed', error: { code: 'internal_error', message: plainWords('internal_error') } });
  }
}
