import type { Capabilities, MeResponse, Operation, OperationCapability, ParamCapability } from '@lumina/shared';
import { createLuminaClient, isLuminaApiError } from '@lumina/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { plainWords } from '../lib/plain-words.ts';
import type { Placement, SelectedItem } from '../lib/sandbox-contract.ts';
import type { PageRendition, PanelHost, SandboxClient, Theme } from './express-host.ts';
import { type JobResult, type JobSource, type JobStatus, runJob } from './run-job.ts';

export const tokenStorageKey = 'lumina.token';

interface Job {
  readonly id: number;
  readonly label: string;
  readonly operation: Operation;
  readonly controller: AbortController;
  status: JobStatus;
  progress: number;
  taskId?: string;
  error?: { code: string; message: string };
  result?: JobResult & { url: string };
}

interface Pairing {
  readonly userCode: string;
  readonly url: string;
  readonly controller: AbortController;
}

type ParamValues = Record<string, string | boolean>;

const statusWords: Record<JobStatus, string> = {
  preparing: 'Reading the image…',
  queued: 'Waiting in line…',
  processing: 'Working…',
  placing: 'Putting it in your design…',
  done: 'Done',
  failed: 'Failed',
  canceled: 'Canceled',
};

const operationNames: Record<Operation, string> = {
  'remove-background': 'Remove background',
  upscale: 'Upscale',
  'magic-edit': 'Magic edit',
};

const kindWords = (items: readonly SelectedItem[]) => {
  if (items.length === 0) return 'Nothing selected: drop an image below, or select one on the page.';
  const images = items.filter((item) => item.kind === 'image').length;
  const noun = items.length === 1 ? 'element' : 'elements';
  return `${items.length} ${noun} selected${images > 0 ? ` (${images} image${images === 1 ? '' : 's'})` : ''}.`;
};

/** Parameters the add-on sets itself: Express imports PNG or JPEG only. */
const hiddenParams = new Set(['format']);

function defaultsOf(operation: OperationCapability | undefined): ParamValues {
  const values: ParamValues = {};
  for (const param of operation?.params ?? []) {
    if (param.default !== undefined) values[param.name] = param.default;
    else if (param.type === 'boolean') values[param.name] = false;
    else values[param.name] = '';
  }
  return values;
}

export function App({ host, apiOrigin }: { host: PanelHost; apiOrigin: string }) {
  const [theme, setTheme] = useState<Theme>(host.theme());
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [me, setMe] = useState<MeResponse | null>(null);
  const [balance, setBalance] = useState<number | null>(null);
  const [capabilities, setCapabilities] = useState<Capabilities | null>(null);
  const [operation, setOperation] = useState<Operation>('remove-background');
  const [params, setParams] = useState<ParamValues>({});
  const [placement, setPlacement] = useState<Placement>('replace');
  const [selection, setSelection] = useState<readonly SelectedItem[]>([]);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [sandbox, setSandbox] = useState<SandboxClient | null>(null);
  const nextJobId = useRef(1);

  const anonymous = useMemo(() => createLuminaClient({ baseUrl: apiOrigin }), [apiOrigin]);
  const client = useMemo(() => anonymous.withToken(token ?? null), [anonymous, token]);

  useEffect(() => {
    host.onThemeChange(setTheme);
    host.storage.get(tokenStorageKey).then(
      (stored) => setToken(typeof stored === 'string' && stored.length > 0 ? stored : null),
      () => setToken(null),
    );
    host.sandbox().then(setSandbox, () => setNotice('The document could not be reached. Reopen the add-on.'));
    anonymous.capabilities().then(setCapabilities, (error: unknown) => setNotice(describe(error)));
  }, [host, anonymous]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const activeTeam = me?.teams.find((team) => team.id === me.activeTeamId);

  const refreshMe = useCallback(async () => {
    if (!token) return;
    try {
      const answer = await client.me();
      setMe(answer);
      setBalance(answer.teams.find((team) => team.id === answer.activeTeamId)?.balance ?? null);
    } catch (error) {
      if (isLuminaApiError(error) && error.code === 'unauthorized') {
        await host.storage.remove(tokenStorageKey);
        setToken(null);
      }
      setNotice(describe(error));
    }
  }, [client, host, token]);

  useEffect(() => {
    if (token) void refreshMe();
    else {
      setMe(null);
      setBalance(null);
    }
  }, [token, refreshMe]);

  // The sandbox pushes every selection change; the panel reads once to start from. A push that lands before that
  // first answer is newer than it, so the answer is then dropped.
  useEffect(() => {
    if (!sandbox) return;
    let pushed = false;
    let stopped = false;
    const stopListening = sandbox.onSelectionChange((snapshot) => {
      pushed = true;
      setSelection(snapshot.items);
    });
    sandbox.readSelection().then(
      (snapshot) => {
        if (!stopped && !pushed) setSelection(snapshot.items);
      },
      () => undefined,
    );
    return () => {
      stopped = true;
      stopListening();
    };
  }, [sandbox]);

  const operationInfo = capabilities?.operations.find((op) => op.operation === operation);
  useEffect(() => setParams(defaultsOf(operationInfo)), [operationInfo]);

  const updateJob = (id: number, change: Partial<Job>) =>
    setJobs((all) => all.map((job) => (job.id === id ? { ...job, ...change } : job)));

  const start = (sources: readonly JobSource[]) => {
    if (!sandbox || !token || sources.length === 0) return;
    setNotice(null);
    const paramsToSend: Record<string, string | boolean> = {};
    for (const [name, value] of Object.entries(params)) if (value !== '') paramsToSend[name] = value;
    let page: Promise<PageRendition> | undefined;
    let rules: ReturnType<typeof readRules> | undefined;
    const readRules = async () => ({
      documentExportAllowed: await host.exportAllowed(),
      userIsPremium: await host.isPremiumUser(),
      pageHasPremiumContent: await host.pageHasPremiumContent(),
    });
    const deps = {
      client,
      host,
      sandbox,
      page: () => {
        page ??= host.renderCurrentPage();
        return page;
      },
      rules: () => {
        rules ??= readRules();
        return rules;
      },
    };
    const created = sources.map(
      (source): Job => ({
        id: nextJobId.current++,
        label: source.kind === 'file' ? source.file.name : `${source.item.kind} on the page`,
        operation,
        controller: new AbortController(),
        status: 'preparing',
        progress: 0,
      }),
    );
    setJobs((all) => [...created, ...all]);
    const runs = sources.map((source, index) => {
      const job = created[index];
      if (!job) return Promise.resolve();
      return runJob(
        { source, operation, params: paramsToSend, placement, signal: job.controller.signal },
        deps,
        (u) => {
          if (u.creditsRemaining !== undefined) setBalance(u.creditsRemaining);
          updateJob(job.id, {
            status: u.status,
            ...(u.progress === undefined ? {} : { progress: u.progress }),
            ...(u.taskId ? { taskId: u.taskId } : {}),
            ...(u.error ? { error: u.error } : {}),
            ...(u.result ? { result: { ...u.result, url: URL.createObjectURL(u.result.blob) } } : {}),
          });
        },
      );
    });
    void Promise.allSettled(runs).then(refreshMe);
  };

  const signIn = async () => {
    setNotice(null);
    try {
      const created = await anonymous.startPairing({ client: 'adobe-express', label: 'Adobe Express' });
      const controller = new AbortController();
      setPairing({ userCode: created.userCode, url: created.verificationUriComplete, controller });
      window.open(created.verificationUriComplete, 'lumina-sign-in', 'popup,width=480,height=680');
      const approved = await anonymous.waitForPairing(created, { signal: controller.signal });
      await host.storage.set(tokenStorageKey, approved.token);
      setToken(approved.token);
    } catch (error) {
      if (!(isLuminaApiError(error) && error.code === 'aborted')) setNotice(describe(error));
    } finally {
      setPairing(null);
    }
  };

  const signOut = async () => {
    for (const job of jobs) job.controller.abort();
    if (token) {
      await fetch(`${apiOrigin}/api/v1/auth/sign-out`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }).catch(() => undefined);
    }
    await host.storage.remove(tokenStorageKey);
    setToken(null);
  };

  const onFiles = (files: FileList | null | undefined) => {
    const images = Array.from(files ?? []).filter((file) => file.type.startsWith('image/'));
    if (images.length === 0) return setNotice(plainWords('unsupported_media_type'));
    start(images.map((file) => ({ kind: 'file', file })));
  };

  const busy = jobs.some((job) => !['done', 'failed', 'canceled'].includes(job.status));
  const missingPrompt = operationInfo?.params.some((p) => p.required && !params[p.name]) ?? false;
  const canRun = Boolean(token && sandbox && operationInfo?.available && selection.length > 0 && !missingPrompt);

  return (
    <main class="panel">
      <header class="bar">
        <strong>Lumina</strong>
        {token ? (
          <span class="balance" data-testid="balance" title={activeTeam?.name}>
            {balance === null ? '…' : `${balance} credit${balance === 1 ? '' : 's'}`}
          </span>
        ) : null}
        {token ? (
          <a class="link" href={`${apiOrigin}/billing`} target="_blank" rel="noreferrer" data-testid="buy">
            Buy credits
          </a>
        ) : null}
        {token ? (
          <button type="button" class="quiet" onClick={signOut} data-testid="sign-out">
            Sign out
          </button>
        ) : null}
      </header>

      {token === undefined ? <p class="muted">Loading…</p> : null}

      {token === null ? (
        <section class="card">
          <p>Sign in to Lumina to remove backgrounds, upscale and edit images right here.</p>
          {pairing ? (
            <div data-testid="pairing">
              <p>
                Confirm the code <code data-testid="user-code">{pairing.userCode}</code> in the window that opened.
              </p>
              <p class="muted">
                No window?{' '}
                <a href={pairing.url} target="_blank" rel="noreferrer">
                  Open the sign-in page
                </a>
                .
              </p>
              <button type="button" class="quiet" onClick={() => pairing.controller.abort()}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" class="primary" onClick={signIn} data-testid="sign-in">
              Sign in
            </button>
          )}
        </section>
      ) : null}

      {token ? (
        <>
          <section class="card">
            <fieldset class="operations">
              <legend>Operation</legend>
              {(capabilities?.operations ?? []).map((op) => (
                <label key={op.operation} class={op.available ? '' : 'disabled'} title={op.reason}>
                  <input
                    type="radio"
                    name="operation"
                    value={op.operation}
                    checked={operation === op.operation}
                    disabled={!op.available}
                    onChange={() => setOperation(op.operation)}
                  />
                  {operationNames[op.operation]}
                  <span class="muted"> · {priceWords(op)}</span>
                </label>
              ))}
            </fieldset>
            {operationInfo?.params
              .filter((param) => !hiddenParams.has(param.name))
              .map((param) => (
                <ParamControl
                  key={`${operation}-${param.name}`}
                  param={param}
                  value={params[param.name]}
                  onChange={(value) => setParams((all) => ({ ...all, [param.name]: value }))}
                />
              ))}
          </section>

          <section class="card">
            <p data-testid="selection">{kindWords(selection)}</p>
            <fieldset class="placement">
              <legend>Result</legend>
              <label>
                <input
                  type="radio"
                  name="placement"
                  checked={placement === 'replace'}
                  onChange={() => setPlacement('replace')}
                />
                Replace the image
              </label>
              <label>
                <input
                  type="radio"
                  name="placement"
                  checked={placement === 'beside'}
                  onChange={() => setPlacement('beside')}
                />
                Add beside it
              </label>
            </fieldset>
            <button
              type="button"
              class="primary"
              data-testid="run"
              disabled={!canRun}
              onClick={() => start(selection.map((item) => ({ kind: 'selection', item })))}
            >
              {operationNames[operation]}
              {selection.length > 1 ? ` (${selection.length})` : ''}
            </button>
          </section>

          <DropZone onFiles={onFiles} disabled={!operationInfo?.available || missingPrompt} />

          {jobs.length > 0 ? (
            <ul class="jobs" aria-live="polite" aria-busy={busy}>
              {jobs.map((job) => (
                <JobRow key={job.id} job={job} host={host} />
              ))}
            </ul>
          ) : null}
        </>
      ) : null}

      {notice ? (
        <p class="notice" role="alert" data-testid="notice">
          {notice}
        </p>
      ) : null}
    </main>
  );
}

function describe(error: unknown): string {
  if (isLuminaApiError(error)) return plainWords(error.code, error.message);
  return plainWords('internal_error');
}

function priceWords(op: OperationCapability): string {
  if (!op.available) return 'not available';
  const unit = op.credits === 1 ? 'credit' : 'credits';
  return op.creditsPerOutputPixels ? `from ${op.credits} ${unit}` : `${op.credits} ${unit}`;
}

function ParamControl({
  param,
  value,
  onChange,
}: {
  param: ParamCapability;
  value: string | boolean | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const id = `param-${param.name}`;
  if (param.type === 'boolean') {
    return (
      <label class="param" title={param.description}>
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
        {param.name.replaceAll('_', ' ')}
      </label>
    );
  }
  if (param.type === 'enum' && param.values) {
    return (
      <label class="param" title={param.description}>
        {param.name.replaceAll('_', ' ')}
        <select id={id} value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)}>
          {param.values.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </label>
    );
  }
  if (param.type === 'text') {
    return (
      <label class="param wide" title={param.description}>
        {param.name === 'prompt' ? 'What should change?' : param.name}
        <textarea
          id={id}
          data-testid={`param-${param.name}`}
          maxLength={param.maxLength}
          rows={3}
          value={String(value ?? '')}
          placeholder={param.name === 'prompt' ? 'make it sunset' : ''}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      </label>
    );
  }
  return (
    <label class="param" title={param.description}>
      {param.name.replaceAll('_', ' ')}
      <input id={id} type="text" value={String(value ?? '')} onInput={(e) => onChange(e.currentTarget.value)} />
    </label>
  );
}

function DropZone({ onFiles, disabled }: { onFiles: (files: FileList | null) => void; disabled: boolean }) {
  const [over, setOver] = useState(false);
  const zone = useRef<HTMLElement>(null);
  // Listeners go on the element itself: a drop zone is a target for a gesture, not a control.
  useEffect(() => {
    const element = zone.current;
    if (!element) return;
    const onOver = (event: DragEvent) => {
      event.preventDefault();
      setOver(true);
    };
    const onLeave = () => setOver(false);
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      setOver(false);
      if (!disabled) onFiles(event.dataTransfer?.files ?? null);
    };
    element.addEventListener('dragover', onOver);
    element.addEventListener('dragleave', onLeave);
    element.addEventListener('drop', onDrop);
    return () => {
      element.removeEventListener('dragover', onOver);
      element.removeEventListener('dragleave', onLeave);
      element.removeEventListener('drop', onDrop);
    };
  }, [onFiles, disabled]);
  return (
    <section ref={zone} class={`drop${over ? ' over' : ''}`} data-testid="drop-zone" aria-label="Drop images here">
      <p>Drop images here, or</p>
      <label class="link">
        choose files
        <input
          type="file"
          accept="image/png,image/jpeg,image/webp"
          multiple
          hidden
          disabled={disabled}
          data-testid="file-input"
          onChange={(e) => {
            onFiles(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </label>
    </section>
  );
}

function JobRow({ job, host }: { job: Job; host: PanelHost }) {
  const image = useRef<HTMLImageElement>(null);
  const result = job.result;
  useEffect(() => {
    const element = image.current;
    if (!element || !result) return;
    return host.enableDragToDocument(element, () => ({
      blob: result.blob,
      title: `Lumina ${job.operation}`,
      taskId: result.taskId,
    }));
  }, [host, result, job.operation]);
  const open = !['done', 'failed', 'canceled'].includes(job.status);
  return (
    <li class={`job ${job.status}`} data-testid="job" data-status={job.status} data-task-id={job.taskId ?? ''}>
      <div class="job-head">
        <span>
          {operationNames[job.operation]} · {job.label}
        </span>
        <span class="muted" data-testid="job-status">
          {statusWords[job.status]}
        </span>
      </div>
      {open ? (
        <div class="job-progress">
          <progress max={100} value={job.progress} />
          <button type="button" class="quiet" data-testid="cancel" onClick={() => job.controller.abort()}>
            Cancel
          </button>
        </div>
      ) : null}
      {job.error ? (
        <p class="error" data-testid="job-error" data-code={job.error.code}>
          {job.error.message}
        </p>
      ) : null}
      {job.error?.code === 'premium_content' ? (
        <button type="button" class="quiet" data-testid="upgrade" onClick={() => void host.startPremiumUpgrade()}>
          Upgrade Adobe Express
        </button>
      ) : null}
      {result ? (
        <figure class="result">
          <button
            type="button"
            class="thumb"
            title="Drag onto the page, or click to add"
            onClick={() =>
              void host.addImage({ blob: result.blob, title: `Lumina ${job.operation}`, taskId: result.taskId })
            }
          >
            <img
              ref={image}
              src={result.url}
              alt="Result: drag it onto the page, or click to add it"
              data-testid="result"
              data-placed={result.placedAs}
            />
          </button>
          <figcaption class="muted">
            {result.placedAs === 'replace'
              ? 'Replaced in your design.'
              : result.placedAs === 'beside'
                ? 'Added beside the original.'
                : result.placedAs === 'added'
                  ? 'Added to the page.'
                  : 'Drag it onto the page.'}
          </figcaption>
        </figure>
      ) : null}
    </li>
  );
}
