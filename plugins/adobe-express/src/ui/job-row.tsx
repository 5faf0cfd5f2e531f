import { chainLabels, creditsLabel, operationTitles } from '@lumina/plugin-core';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PanelHost } from './express-host.ts';
import type { Job } from './job.ts';

const statusWords: Record<Job['status'], string> = {
  waiting: 'Waiting for its turn…',
  preparing: 'Reading the image…',
  queued: 'Waiting in line…',
  processing: 'Working…',
  ready: 'Ready: compare, then apply',
  placing: 'Putting it in your design…',
  done: 'Applied',
  discarded: 'Discarded',
  'not-placed': 'Charged, not placed',
  failed: 'Failed',
  canceled: 'Canceled',
};

const placedWords = {
  replace: 'Replaced the original.',
  beside: 'Added beside the original.',
  added: 'Added to the page.',
};

const openStatuses: ReadonlySet<Job['status']> = new Set(['waiting', 'preparing', 'queued', 'processing']);

/**
 * One job: the layer's name and thumbnail stay on the first line whatever the status says; a result shows
 * before/after with Apply and Discard; a charged result Express did not take says so and can still be dragged
 * onto the page or downloaded.
 */
export function JobRow({
  job,
  host,
  onApply,
  onDiscard,
  onSelect,
  onUpscale,
  onEditAgain,
  onBuyCredits,
}: {
  job: Job;
  host: PanelHost;
  onApply: () => void;
  onDiscard: () => void;
  onSelect: (() => void) | null;
  /** Work on this result again, sent by its task id (no upload); null where the operation is not available. */
  onUpscale: (() => void) | null;
  onEditAgain: (() => void) | null;
  /** Opens the billing page; it must call window.open before any await (Safari). */
  onBuyCredits: () => void;
}) {
  const [showBefore, setShowBefore] = useState(false);
  const preview = useRef<HTMLImageElement>(null);
  const result = job.result;
  const shown = showBefore ? job.inputUrl : job.resultUrl;

  // A result Express did not take can still be dragged onto the page.
  const draggable = job.status === 'not-placed';
  useEffect(() => {
    const element = preview.current;
    if (!element || !result || !draggable) return;
    return host.enableDragToDocument(element, () => ({
      blob: result.blob,
      title: `Lumina ${result.operation}`,
      taskId: result.taskId,
    }));
  }, [host, result, draggable]);

  return (
    <li class={`job ${job.status}`} data-testid="job" data-status={job.status} data-task-id={job.taskId ?? ''}>
      <div class="job-head">
        {job.inputUrl ? <img class="job-thumb" src={job.inputUrl} alt="" /> : <span class="job-thumb" />}
        <span class="job-name" title={job.label} data-testid="job-name">
          {job.label}
        </span>
        {onSelect ? (
          <sp-link quiet data-testid="select-layer" onClick={onSelect}>
            Select
          </sp-link>
        ) : null}
      </div>
      <div class="job-status" data-testid="job-status">
        {operationTitles[job.operation]} · {statusWords[job.status]}
      </div>
      {openStatuses.has(job.status) ? (
        <div class="job-progress">
          <sp-progress-bar
            size="s"
            label=""
            aria-label="Progress"
            indeterminate={job.status === 'waiting' || job.status === 'preparing'}
            progress={job.progress}
          />
          <sp-action-button size="s" quiet data-testid="cancel" onClick={() => job.controller.abort()}>
            Cancel
          </sp-action-button>
        </div>
      ) : null}
      {job.error ? (
        <p class="job-error" data-testid="job-error" data-code={job.error.code}>
          {job.error.message}
        </p>
      ) : null}
      {job.error?.code === 'insufficient_credits' ? (
        <sp-button size="s" variant="accent" data-testid="buy-credits" onClick={onBuyCredits}>
          Buy credits
        </sp-button>
      ) : null}
      {job.error?.code === 'premium_content' ? (
        <sp-button size="s" variant="secondary" data-testid="upgrade" onClick={() => void host.startPremiumUpgrade()}>
          Upgrade Adobe Express
        </sp-button>
      ) : null}
      {result && shown && (job.status === 'ready' || job.status === 'not-placed') ? (
        <figure class="compare">
          <img ref={preview} src={shown} alt={showBefore ? 'Before' : 'After'} data-testid="result" />
          <figcaption>
            <sp-action-group size="s" compact selects="single" selected={[showBefore ? 'before' : 'after']}>
              <sp-action-button value="before" data-testid="show-before" onClick={() => setShowBefore(true)}>
                Before
              </sp-action-button>
              <sp-action-button value="after" data-testid="show-after" onClick={() => setShowBefore(false)}>
                After
              </sp-action-button>
            </sp-action-group>
          </figcaption>
        </figure>
      ) : null}
      {job.status === 'ready' ? (
        <div class="job-actions">
          <sp-button size="s" variant="accent" data-testid="apply" onClick={onApply}>
            Apply
          </sp-button>
          <sp-button size="s" variant="secondary" treatment="outline" data-testid="discard" onClick={onDiscard}>
            Discard
          </sp-button>
          {onUpscale ? (
            <sp-action-button size="s" quiet data-testid="upscale-this" onClick={onUpscale}>
              {chainLabels.upscale}
            </sp-action-button>
          ) : null}
          {onEditAgain ? (
            <sp-action-button size="s" quiet data-testid="edit-again" onClick={onEditAgain}>
              {chainLabels['magic-edit']}
            </sp-action-button>
          ) : null}
        </div>
      ) : null}
      {job.status === 'not-placed' && result ? (
        <p class="job-note" data-testid="not-placed">
          {creditsLabel(result.creditsCharged)} charged, but the result was not placed. Drag it onto the page, or{' '}
          <a href={job.resultUrl} download={`lumina-${result.taskId}.png`} data-testid="download">
            download it
          </a>
          .
        </p>
      ) : null}
      {job.status === 'done' && job.placedAs ? (
        <p class="job-note" data-testid="placed" data-placed={job.placedAs}>
          {placedWords[job.placedAs]}
        </p>
      ) : null}
    </li>
  );
}
