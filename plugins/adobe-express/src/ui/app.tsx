import {
  batchConcurrency,
  type ChainOperation,
  canChain,
  creditsLabel,
  describeOptionForm,
  explainError,
  initialOptions,
  type OptionForm,
  type OptionValues,
  operationTitles,
  paramsOf,
  planChainedStep,
  runBounded,
  signInWithBrowser,
  signOut,
  type WordedLimits,
} from '@lumina/plugin-core';
import type { Capabilities, MeResponse, Operation } from '@lumina/shared';
import { createLuminaClient, isLuminaApiError } from '@lumina/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { maxImportSidePx } from '../lib/crop-rect.ts';
import { expressWords } from '../lib/express-words.ts';
import { Placement, type SelectedItem } from '../lib/sandbox-contract.ts';
import { DropZone } from './drop-zone.tsx';
import type { PageRendition, PanelHost, SandboxClient, Theme } from './express-host.ts';
import type { Job } from './job.ts';
import { JobRow } from './job-row.tsx';
import { OptionFields } from './option-fields.tsx';
import { applyResult, type JobDeps, type JobSource, type JobUpdate, placedSourceOf, runJob } from './run-job.ts';

export const tokenStorageKey = 'lumina.token';
/** Where a result goes by default, as the person last chose it. */
export const placementStorageKey = 'lumina.placement';

interface Pairing {
  readonly userCode: string;
  readonly url: string;
  readonly controller: AbortController;
}

const kindNames: Record<SelectedItem['kind'], string> = {
  image: 'Image',
  media: 'Video',
  shape: 'Shape',
  text: 'Text',
  group: 'Group',
  other: 'Element',
};

/** Express layers have no names: a row says what the element is and its size on the page. */
const labelOf = (source: JobSource): string =>
  source.kind === 'chained'
    ? labelOf(source.origin)
    : source.kind === 'file'
      ? source.file.name
      : `${kindNames[source.item.kind]} ${Math.round(source.item.bounds.width)} × ${Math.round(source.item.bounds.height)}`;

/**
 * The main button's words: the operation and what it costs in all. How many elements it covers is said just above it
 * (`selectionWords`), so the core's "Remove background 5 layers · 5 credits" is not repeated: it wrapped at 320 px,
 * and Express has elements, not layers.
 */
const runLabel = (form: OptionForm, count: number) =>
  count > 0 ? `${form.title} · ${creditsLabel(form.credits)}` : form.title;

const selectionWords = (items: readonly SelectedItem[]) => {
  if (items.length === 0) return 'Nothing selected: select an element, or drop an image below.';
  const images = items.filter((item) => item.kind === 'image').length;
  const noun = items.length === 1 ? 'element' : 'elements';
  return `${items.length} ${noun} selected${images > 0 ? ` (${images} image${images === 1 ? '' : 's'})` : ''}.`;
};

const openStatuses: ReadonlySet<Job['status']> = new Set(['waiting', 'preparing', 'queued', 'processing', 'placing']);

export function App({ host, apiOrigin }: { host: PanelHost; apiOrigin: string }) {
  const [theme, setTheme] = useState<Theme>(host.theme());
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [me, setMe] = useState<MeResponse | null>(null);
  const [balance, setBalance] = useState<number | null>(null);
  const [capabilities, setCapabilities] = useState<Capabilities | null>(null);
  const [operation, setOperation] = useState<Operation>('remove-background');
  const [edited, setEdited] = useState<Partial<Record<Operation, OptionValues>>>({});
  const [placement, setPlacement] = useState<Placement>('beside');
  const [selection, setSelection] = useState<readonly SelectedItem[]>([]);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [sandbox, setSandbox] = useState<SandboxClient | null>(null);
  // Account actions live behind the header's Account button, away from the main button.
  const [accountOpen, setAccountOpen] = useState(false);
  const nextJobId = useRef(1);

  const anonymous = useMemo(() => createLuminaClient({ baseUrl: apiOrigin }), [apiOrigin]);
  const client = useMemo(() => anonymous.withToken(token ?? null), [anonymous, token]);
  const limits: WordedLimits = capabilities?.limits ?? null;
  const words = (error: unknown) => explainError(error, { limits, hostWords: expressWords });

  useEffect(() => {
    host.onThemeChange(setTheme);
    host.storage.get(tokenStorageKey).then(
      (stored) => setToken(typeof stored === 'string' && stored.length > 0 ? stored : null),
      () => setToken(null),
    );
    host.storage.get(placementStorageKey).then(
      (stored) => {
        const remembered = Placement.safeParse(stored);
        if (remembered.success) setPlacement(remembered.data);
      },
      () => undefined,
    );
    host.sandbox().then(setSandbox, () => setNotice('The document could not be reached. Reopen the add-on.'));
    anonymous.capabilities().then(setCapabilities, (error: unknown) => setNotice(explainError(error)));
  }, [host, anonymous]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

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
      setNotice(explainError(error));
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

  const capability = capabilities?.operations.find((op) => op.operation === operation);
  // Every form starts at the capability's defaults; only what the person changed is kept per operation.
  const values: OptionValues = capability ? { ...initialOptions(capability), ...edited[operation] } : {};
  const form = capability
    ? describeOptionForm(capability, values, {
        inputs: selection.map((item) => ({
          widthPx: Math.round(item.bounds.width),
          heightPx: Math.round(item.bounds.height),
        })),
        host: { name: 'Adobe Express', maxImageSidePx: maxImportSidePx },
        ...(capabilities ? { limits: capabilities.limits } : {}),
      })
    : null;
  const fileForm = capability
    ? describeOptionForm(capability, values, {
        inputs: [{ widthPx: 1, heightPx: 1 }],
        host: { name: 'Adobe Express', maxImageSidePx: maxImportSidePx },
      })
    : null;

  const updateJob = (id: number, change: Partial<Job>) =>
    setJobs((all) => all.map((job) => (job.id === id ? { ...job, ...change } : job)));

  /** Runs `sources` through an operation: the panel's chosen one with its form by default. */
  const start = (
    sources: readonly JobSource[],
    run: { operation: Operation; params: Record<string, string | boolean> } | null = capability
      ? { operation, params: paramsOf(capability, values) }
      : null,
  ) => {
    if (!sandbox || !token || !run || sources.length === 0) return;
    setNotice(null);
    const { params } = run;
    let page: Promise<PageRendition> | undefined;
    let rules: ReturnType<typeof readRules> | undefined;
    const readRules = async () => ({
      documentExportAllowed: await host.exportAllowed(),
      userIsPremium: await host.isPremiumUser(),
      pageHasPremiumContent: await host.pageHasPremiumContent(),
    });
    const deps: JobDeps = {
      client,
      host,
      sandbox,
      limits,
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
        label: labelOf(source),
        operation: run.operation,
        source,
        controller: new AbortController(),
        status: 'waiting',
        progress: 0,
      }),
    );
    setJobs((all) => [...created, ...all]);
    const onUpdate = (job: Job) => (u: JobUpdate) => {
      if (u.creditsRemaining !== undefined) setBalance(u.creditsRemaining);
      updateJob(job.id, {
        status: u.status,
        ...(u.progress === undefined ? {} : { progress: u.progress }),
        ...(u.taskId ? { taskId: u.taskId } : {}),
        ...(u.input ? { inputUrl: URL.createObjectURL(u.input) } : {}),
        ...(u.error ? { error: u.error } : {}),
        ...(u.result ? { result: u.result, resultUrl: URL.createObjectURL(u.result.blob) } : {}),
      });
    };
    // At most three in flight, as in Figma: a large selection does not flood the queue or the page renderer.
    void runBounded(
      created,
      async (job) => {
        if (job.controller.signal.aborted) return updateJob(job.id, { status: 'canceled' });
        await runJob(
          { source: job.source, operation: job.operation, params, signal: job.controller.signal },
          deps,
          onUpdate(job),
        );
      },
      { limit: batchConcurrency },
    ).then(refreshMe);
  };

  const apply = async (job: Job) => {
    if (!sandbox || !job.result) return;
    updateJob(job.id, { status: 'placing' });
    const outcome = await applyResult(job.source, job.result, placement, { host, sandbox });
    if (outcome.placed) updateJob(job.id, { status: 'done', placedAs: outcome.placedAs, placedNodeId: outcome.nodeId });
    else updateJob(job.id, { status: 'not-placed', error: { code: outcome.code, message: words(outcome.code) } });
  };

  /**
   * Works on a held result again without uploading it: the next step names the result's task (`sourceTaskId`).
   * The core plans it with that operation's form as the person last set it; a magic edit with no instruction yet
   * opens its form instead.
   */
  const chain = (job: Job, next: ChainOperation) => {
    if (!job.result) return;
    const step = planChainedStep(
      capabilities,
      { taskId: job.result.taskId, widthPx: job.result.width, heightPx: job.result.height },
      { operation: next, values: edited[next], host: { name: 'Adobe Express', maxImageSidePx: maxImportSidePx } },
    );
    if (!step) return;
    if (step.kind === 'blocked') {
      setOperation(next);
      setNotice(step.advice);
      return;
    }
    const origin = job.source.kind === 'chained' ? job.source.origin : job.source;
    start([{ kind: 'chained', sourceTaskId: step.sourceTaskId, input: job.result.blob, origin }], {
      operation: next,
      params: step.params,
    });
  };

  const choosePlacement = (next: Placement) => {
    setPlacement(next);
    void host.storage.set(placementStorageKey, next);
  };

  const signIn = () => {
    setNotice(null);
    // Opened now, inside the click: Safari blocks a window opened after an await. The page is set once known.
    const popup = window.open('', 'lumina-sign-in', 'popup,width=480,height=680');
    const controller = new AbortController();
    signInWithBrowser(anonymous, {
      client: 'adobe-express',
      label: 'Adobe Express',
      signal: controller.signal,
      onPairing: (created) =>
        setPairing({ userCode: created.userCode, url: created.verificationUriComplete, controller }),
      openUrl: (url) => {
        if (popup && !popup.closed) popup.location.href = url;
      },
    })
      .then(async (approved) => {
        await host.storage.set(tokenStorageKey, approved);
        setToken(approved);
      })
      .catch((error: unknown) => {
        popup?.close();
        if (!(isLuminaApiError(error) && error.code === 'aborted')) setNotice(explainError(error));
      })
      .finally(() => setPairing(null));
  };

  const signOutNow = async () => {
    for (const job of jobs) job.controller.abort();
    setAccountOpen(false);
    await signOut(client);
    await host.storage.remove(tokenStorageKey);
    setToken(null);
  };

  // Opened within the click, before any await: Safari blocks a window opened later. Used by the Account menu and by
  // a row that ran out of credits.
  const buyCredits = () => {
    window.open(`${apiOrigin}/billing`, '_blank', 'noopener');
    setAccountOpen(false);
  };

  const onFiles = (files: FileList | null | undefined) => {
    const images = Array.from(files ?? []).filter((file) => file.type.startsWith('image/'));
    if (images.length === 0) return setNotice(explainError('unsupported_media_type'));
    start(images.map((file) => ({ kind: 'file', file })));
  };

  const busy = jobs.some((job) => openStatuses.has(job.status));
  const ready = jobs.filter((job) => job.status === 'ready');
  const blocker = !sandbox ? 'Waiting for the document…' : (form?.blocker ?? null);
  const canRun = Boolean(token && capability?.available && form && !blocker);
  const activeTeam = me?.teams.find((team) => team.id === me.activeTeamId);

  return (
    <sp-theme system="express" color={theme} scale="medium" class="theme">
      <main class="panel">
        <header class="bar">
          <strong class="brand">Lumina</strong>
          {token ? (
            <span class="balance" data-testid="balance" title={activeTeam?.name}>
              {balance === null ? '…' : creditsLabel(balance)}
            </span>
          ) : null}
          {token ? (
            <sp-action-button
              quiet
              size="s"
              data-testid="account"
              selected={accountOpen}
              onClick={() => setAccountOpen((open) => !open)}
            >
              Account
            </sp-action-button>
          ) : null}
        </header>
        {token && accountOpen ? (
          <nav class="account" aria-label="Account">
            <span class="muted">{activeTeam?.name}</span>
            <sp-action-button size="s" quiet data-testid="buy" onClick={buyCredits}>
              Buy credits
            </sp-action-button>
            <sp-action-button size="s" quiet data-testid="sign-out" onClick={() => void signOutNow()}>
              Sign out
            </sp-action-button>
          </nav>
        ) : null}

        {token === undefined ? <p class="muted">Loading…</p> : null}

        {token === null ? (
          <section class="card" data-testid="signed-out">
            <p>Sign in to Lumina to remove backgrounds, upscale and edit images right here.</p>
            {pairing ? (
              <div data-testid="pairing">
                <p>
                  Confirm the code <code data-testid="user-code">{pairing.userCode}</code> in the window that opened.
                </p>
                <p class="muted">
                  No window?{' '}
                  <sp-link href={pairing.url} target="_blank">
                    Open the sign-in page
                  </sp-link>
                  .
                </p>
                <sp-button variant="secondary" size="s" onClick={() => pairing.controller.abort()}>
                  Cancel
                </sp-button>
              </div>
            ) : (
              <sp-button variant="accent" onClick={signIn} data-testid="sign-in">
                Sign in
              </sp-button>
            )}
          </section>
        ) : null}

        {token ? (
          <>
            <sp-action-group
              class="operations"
              selects="single"
              size="s"
              compact
              data-testid="operations"
              selected={[operation]}
              onChange={(event: Event) => {
                const next = (event.currentTarget as HTMLElement & { selected?: string[] }).selected?.[0];
                const op = capabilities?.operations.find((candidate) => candidate.operation === next);
                if (op) setOperation(op.operation);
              }}
            >
              {(capabilities?.operations ?? []).map((op) => (
                <sp-action-button
                  key={op.operation}
                  value={op.operation}
                  data-operation={op.operation}
                  disabled={!op.available}
                  title={op.reason}
                >
                  {operationTitles[op.operation]}
                </sp-action-button>
              ))}
            </sp-action-group>

            {form ? (
              <OptionFields
                fields={form.fields}
                onChange={(key, value) =>
                  setEdited((all) => ({ ...all, [operation]: { ...all[operation], [key]: value } }))
                }
              />
            ) : null}
            {form?.outputSize ? (
              <p class="muted" data-testid="output-size">
                {form.outputSize}
              </p>
            ) : null}
            {form?.hostLimitWarning ? <p class="warning">{form.hostLimitWarning}</p> : null}

            <div class="field">
              <sp-field-label size="s" for="placement">
                Result
              </sp-field-label>
              <sp-action-group
                id="placement"
                data-testid="placement"
                selects="single"
                size="s"
                compact
                selected={[placement]}
                onChange={(event: Event) => {
                  const next = Placement.safeParse(
                    (event.currentTarget as HTMLElement & { selected?: string[] }).selected?.[0],
                  );
                  if (next.success) choosePlacement(next.data);
                }}
              >
                <sp-action-button value="beside" data-value="beside">
                  Beside the original
                </sp-action-button>
                <sp-action-button value="replace" data-value="replace">
                  Replace it
                </sp-action-button>
              </sp-action-group>
            </div>

            <p class="muted" data-testid="selection">
              {selectionWords(selection)}
            </p>
            <sp-button
              variant="accent"
              class="run"
              data-testid="run"
              disabled={!canRun}
              onClick={() => start(selection.map((item) => ({ kind: 'selection', item })))}
            >
              {form ? runLabel(form, selection.length) : 'Loading…'}
            </sp-button>
            {blocker && selection.length > 0 ? (
              <sp-help-text size="s" data-testid="blocker">
                {blocker}
              </sp-help-text>
            ) : null}

            {ready.length > 1 ? (
              <sp-button
                variant="secondary"
                size="s"
                data-testid="apply-all"
                onClick={() => {
                  for (const job of ready) void apply(job);
                }}
              >
                Apply all ({ready.length})
              </sp-button>
            ) : null}
            {jobs.length > 0 ? (
              <ul class="jobs" aria-live="polite" aria-busy={busy}>
                {jobs.map((job) => {
                  const placed = placedSourceOf(job.source);
                  const nodeId = job.placedNodeId ?? (placed.kind === 'selection' ? placed.item.nodeId : undefined);
                  return (
                    <JobRow
                      key={job.id}
                      job={job}
                      host={host}
                      onApply={() => void apply(job)}
                      onDiscard={() => updateJob(job.id, { status: 'discarded' })}
                      onBuyCredits={buyCredits}
                      onUpscale={canChain(capabilities, 'upscale') ? () => chain(job, 'upscale') : null}
                      onEditAgain={canChain(capabilities, 'magic-edit') ? () => chain(job, 'magic-edit') : null}
                      onSelect={
                        nodeId && sandbox
                          ? () =>
                              void sandbox.selectNode({ nodeId }).then(({ selected }) => {
                                if (!selected) setNotice(expressWords.node_gone);
                              })
                          : null
                      }
                    />
                  );
                })}
              </ul>
            ) : null}

            <DropZone onFiles={onFiles} disabled={!capability?.available || Boolean(fileForm?.blocker)} />
          </>
        ) : null}

        {notice ? (
          <p class="notice" role="alert" data-testid="notice">
            {notice}
          </p>
        ) : null}
      </main>
    </sp-theme>
  );
}
