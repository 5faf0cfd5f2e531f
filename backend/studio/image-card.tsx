import { describeOptionForm, initialOptions, type OptionValues, operationTitles, paramsOf } from '@lumina/plugin-core';
import {
  type Capabilities,
  isLuminaApiError,
  type LuminaClient,
  type Operation,
  type OperationCapability,
  type TaskView,
} from '@lumina/shared';
import { useRef, useState } from 'preact/hooks';
import { CompareSlider } from './compare-slider.tsx';
import { OptionFields } from './option-fields.tsx';
import { followTask } from './studio-api.ts';

/** One image as it stands: the upload, or a task's result (then later steps chain from it by `sourceTaskId`). */
export interface Version {
  readonly url: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly taskId: string | null;
}

export interface StudioImage {
  readonly key: number;
  readonly file: File;
  readonly original: Version;
}

const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;

/** The status line of a running task, in words: place in the queue, percent done, seconds to go. */
function describeProgress(view: TaskView | null): string {
  if (view === null) return 'Uploading…';
  const eta = view.eta !== null && view.eta > 0 ? `, about ${Math.ceil(view.eta)} s left` : '';
  if (view.status === 'QUEUED') {
    const place =
      view.queuePosition === null ? '' : view.queuePosition === 0 ? ', next in line' : `, ${view.queuePosition} ahead`;
    return `Queued${place}${eta}`;
  }
  return `Working: ${Math.round(view.progress)}%${eta}`;
}

function withFormat(url: string, format: string): string {
  const u = new URL(url, window.location.origin);
  u.searchParams.set('format', format);
  return u.toString();
}

/**
 * One image's workspace: the operation forms from the capabilities with each price shown before it runs,
 * live progress with cancel, the before/after comparison, downloads, copy and drag-out, and the takes of
 * magic edits side by side. Each step after the first chains from the previous result by `sourceTaskId`.
 */
export function ImageCard(props: {
  image: StudioImage;
  client: LuminaClient;
  teamId: string;
  capabilities: Capabilities;
  onSettled: () => void;
  onRemove: () => void;
}) {
  const { image, client, capabilities } = props;
  const available = capabilities.operations.filter((op) => op.available);
  const [operation, setOperation] = useState<Operation>('remove-background');
  const [values, setValues] = useState<OptionValues>({});
  const [background, setBackground] = useState<File | null>(null);
  const [current, setCurrent] = useState<Version>(image.original);
  const [before, setBefore] = useState<Version | null>(null);
  const [takes, setTakes] = useState<Version[]>([]);
  const [takeSource, setTakeSource] = useState<Version | null>(null);
  const [running, setRunning] = useState<{ view: TaskView | null; taskId: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [zoom, setZoom] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const lastEdit = useRef<Record<string, string | boolean>>({});

  const capability = available.find((op) => op.operation === operation) ?? available[0];
  if (!capability) return <p class="alert">No operation is available on this server.</p>;
  // The plugins' option form: designer words, every control starting at the capability's default, and what is
  // sent is what the controls show. The result's size and price are said before anything runs.
  const formValues: OptionValues = { ...initialOptions(capability), ...values };
  const known = current.width !== null && current.height !== null;
  const form = describeOptionForm(capability, formValues, {
    inputs: [{ widthPx: current.width ?? 1, heightPx: current.height ?? 1 }],
    // The studio downloads the result rather than placing it anywhere: no host limit beyond the API's own.
    host: { name: 'the studio', maxImageSidePx: Number.POSITIVE_INFINITY },
    limits: capabilities.limits,
  });
  const scale = Number(formValues.scale ?? 2);
  const name = image.file.name.replace(/\.[^.]*$/, '') || 'image';

  async function run(from: Version, op: OperationCapability, params: Record<string, string | boolean>) {
    setError(null);
    if (op.operation === 'magic-edit') lastEdit.current = params;
    setRunning({ view: null, taskId: null });
    const controller = new AbortController();
    abort.current = controller;
    try {
      const source = from.taskId ? { sourceTaskId: from.taskId } : { image: image.file, filename: image.file.name };
      const submitted = await client.submit({
        ...source,
        operation: op.operation,
        params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== '')),
        ...(op.operation === 'remove-background' && background ? { background } : {}),
      });
      const taskId = submitted.task.taskId;
      setRunning({ view: null, taskId });
      const view = await followTask(props.teamId, taskId, (v) => setRunning({ view: v, taskId }), controller.signal);
      if (view.status === 'COMPLETED' && view.resultUrl) {
        const result: Version = {
          // Shown and chained as PNG: an <img> would otherwise negotiate AVIF, the slowest variant to make.
          url: withFormat(view.resultUrl, 'png'),
          width: view.result?.width ?? null,
          height: view.result?.height ?? null,
          taskId,
        };
        if (op.operation === 'magic-edit') {
          setTakeSource(from);
          setTakes((list) => [...list, result]);
        } else {
          setBefore(from);
          setCurrent(result);
          setTakes([]);
        }
      } else if (view.status === 'CANCELED') {
        setError('Canceled. Nothing was charged.');
      } else {
        setError(`${view.error?.message ?? 'The task failed.'} Nothing was charged.`);
      }
    } catch (e) {
      setError(isLuminaApiError(e) || e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(null);
      abort.current = null;
      props.onSettled();
    }
  }

  async function cancel() {
    if (!running?.taskId) return;
    try {
      await client.cancelTask(running.taskId);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  async function copy() {
    try {
      const blob = await (await fetch(withFormat(current.url, 'png'))).blob();
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
      setCopied('Copied to the clipboard as PNG.');
    } catch {
      setCopied('This browser did not allow copying the image; download it instead.');
    }
  }

  const busy = running !== null;
  const headingId = `image-${image.key}`;

  return (
    <article class="card studio-card" aria-labelledby={headingId} data-testid="image-card">
      <div class="studio-card-head">
        <h2 id={headingId}>{image.file.name}</h2>
        <span class="muted">
          {current.width && current.height
            ? `${current.width} × ${current.height} px`
            : 'size known after the first step'}
        </span>
        <button type="button" class="link" onClick={props.onRemove} disabled={busy}>
          Remove from studio
        </button>
      </div>

      {before ? (
        <CompareSlider before={before.url} after={current} zoom={zoom} label={image.file.name} />
      ) : (
        <div class={`stage${zoom ? ' zoom' : ''}`}>
          <div class="frame checker">
            <img
              src={current.url}
              alt={`${image.file.name}, as uploaded`}
              width={current.width ?? undefined}
              height={current.height ?? undefined}
            />
          </div>
        </div>
      )}

      {current.taskId && (
        <div class="actions result-actions">
          <button type="button" class="secondary" aria-pressed={zoom} onClick={() => setZoom(!zoom)}>
            {zoom ? 'Fit to width' : 'Zoom to 100%'}
          </button>
          <span>Download:</span>
          {(['png', 'webp', 'avif'] as const).map((format) => (
            <a
              href={withFormat(current.url, format)}
              download={`${name}-lumina.${format}`}
              data-testid={`download-${format}`}
            >
              {format.toUpperCase()}
            </a>
          ))}
          <button type="button" class="secondary" onClick={copy}>
            Copy
          </button>
          <img
            class="drag-handle"
            src={current.url}
            alt="Drag this result out to another app"
            title="Drag out"
            draggable
            onDragStart={(event) => {
              const absolute = withFormat(current.url, 'png');
              event.dataTransfer?.setData('DownloadURL', `image/png:${name}-lumina.png:${absolute}`);
              event.dataTransfer?.setData('text/uri-list', absolute);
            }}
          />
          {copied && (
            <span role="status" class="muted">
              {copied}
            </span>
          )}
        </div>
      )}

      {takes.length > 0 && takeSource && (
        <section aria-label="Magic edit takes" class="takes">
          <h3>Takes</h3>
          <ul class="take-list">
            {takes.map((take, index) => (
              <li class="take" data-testid="take">
                <div class="checker">
                  <img src={take.url} alt={`Take ${index + 1}`} />
                </div>
                <button
                  type="button"
                  onClick={() => {
                    setBefore(takeSource);
                    setCurrent(take);
                    setTakes([]);
                  }}
                >
                  Use take {index + 1}
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => {
              const edit = available.find((op) => op.operation === 'magic-edit');
              if (edit) void run(takeSource, edit, lastEdit.current);
            }}
          >
            Try again · {credits(available.find((op) => op.operation === 'magic-edit')?.credits ?? 0)}
          </button>
        </section>
      )}

      <form
        class="stack studio-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(current, capability, paramsOf(capability, formValues));
        }}
      >
        <fieldset class="ops">
          <legend>Action</legend>
          {available.map((op) => (
            <label class="choice">
              <input
                type="radio"
                name={`op-${image.key}`}
                value={op.operation}
                checked={op.operation === capability.operation}
                onChange={() => {
                  setOperation(op.operation);
                  setValues({});
                }}
              />
              {operationTitles[op.operation]}
            </label>
          ))}
        </fieldset>
        <OptionFields
          fields={form.fields}
          idPrefix={`p-${image.key}`}
          onChange={(key, value) => setValues({ ...values, [key]: value })}
        />
        {capability.operation === 'remove-background' && (
          <label>
            Background image <span class="hint muted">(optional; scaled to cover, put behind the subject)</span>
            <input
              type="file"
              accept="image/*"
              onChange={(event) => setBackground(event.currentTarget.files?.[0] ?? null)}
            />
          </label>
        )}
        <p class="price" data-testid="price">
          Costs <strong>{credits(form.credits)}</strong>
          {known && form.outputSize && (
            <>
              {' '}
              · result <strong>{form.outputSize.replace(/^→ /, '')}</strong>
            </>
          )}
        </p>
        {form.blocker && <p class="hint muted">{form.blocker}</p>}
        <div class="actions">
          <button type="submit" disabled={busy || form.blocker !== null} data-price={form.credits}>
            {operationTitles[capability.operation]}
            {capability.operation === 'upscale' ? ` ${scale}×` : ''}
          </button>
          {busy && (
            <button type="button" class="danger" onClick={cancel} disabled={!running?.taskId}>
              Cancel
            </button>
          )}
        </div>
      </form>

      {busy && (
        <div class="progress" role="status" aria-live="polite">
          <progress max={100} value={running?.view?.progress ?? 0} />
          <span data-testid="progress">{describeProgress(running?.view ?? null)}</span>
        </div>
      )}
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
