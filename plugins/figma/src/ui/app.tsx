import {
  Banner,
  Button,
  Dropdown,
  IconButton,
  IconCircleInfo16,
  IconEllipsis24,
  IconWarning16,
  Muted,
  RangeSlider,
  SegmentedControl,
  Text,
  TextboxColor,
  TextboxMultiline,
  Toggle,
} from '@create-figma-plugin/ui';
import {
  type ChainOperation,
  chainActions,
  creditsLabel,
  describeOptionForm,
  explainError,
  initialOptions,
  type OptionField,
  type OptionValues,
  operationTitles,
  paramsOf,
  planChainedStep,
  signInWithBrowser,
  signOut,
} from '@lumina/plugin-core';
import {
  type Capabilities,
  createLuminaClient,
  LuminaApiError,
  type Operation,
  type OperationCapability,
  type PairingCreated,
} from '@lumina/shared';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { maxFigmaImageSidePx } from '../lib/figma-limits.ts';
import {
  defaultPanelSettings,
  type Job,
  type LargeResult,
  type PanelSettings,
  type SelectionItem,
  type ToUi,
} from '../lib/messages.ts';
import { jobLabel } from '../lib/operations.ts';
import { onMainMessage, postToMain } from './bridge.ts';
import { canvasCodec } from './canvas-codec.ts';
import { downloadBytes } from './download-bytes.ts';
import { createMainLink } from './main-link.ts';
import { Rows } from './rows.tsx';
import { type BatchInput, type BatchItem, createBatch, type RunnableJob } from './run-batch.ts';

const figmaHost = { name: 'Figma', maxImageSidePx: maxFigmaImageSidePx };

/** The job for a capability and the form's values, as the API takes it. */
const runnableOf = (capability: OperationCapability, values: OptionValues): RunnableJob => {
  const job: Job = { operation: capability.operation, values: { ...values } };
  return { job, params: paramsOf(capability, values), label: jobLabel(job) };
};

type Batch = ReturnType<typeof createBatch>;

/**
 * Every batch's rows, newest batch first: a batch's change replaces its own rows and keeps the others, so a result
 * still waiting for review stays there while a chained step runs.
 */
const mergeRows = (all: readonly BatchItem[], changed: readonly BatchItem[]): readonly BatchItem[] => {
  const byId = new Map(changed.map((row) => [row.itemId, row]));
  return all.some((row) => byId.has(row.itemId)) ? all.map((row) => byId.get(row.itemId) ?? row) : [...changed, ...all];
};

export function App({ apiOrigin }: { apiOrigin: string }) {
  const [ready, setReady] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const [selection, setSelection] = useState<SelectionItem[]>([]);
  const [capabilities, setCapabilities] = useState<Capabilities | null>(null);
  const [balance, setBalance] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [operation, setOperation] = useState<Operation>('remove-background');
  const [values, setValues] = useState<Partial<Record<Operation, OptionValues>>>({});
  const [settings, setSettings] = useState<PanelSettings>(defaultPanelSettings);
  const [rows, setRows] = useState<readonly BatchItem[]>([]);
  const [running, setRunning] = useState(false);
  /** The batch each row belongs to, by item id: Apply, Discard and Cancel go to the batch that holds the row. */
  const batchOf = useRef(new Map<string, Batch>());
  const quickJob = useRef<Job | null>(null);

  const link = useMemo(() => createMainLink(postToMain), []);
  const client = useMemo(() => createLuminaClient({ baseUrl: apiOrigin, token }), [apiOrigin, token]);
  const limits = capabilities?.limits ?? null;
  const words = (error: unknown) => explainError(error, { limits });

  const refreshBalance = async (current = client) => {
    if (!current.token) return;
    try {
      const me = await current.me();
      const team = me.teams.find((candidate) => candidate.id === me.activeTeamId);
      if (team) setBalance(team.balance - team.reserved);
    } catch (error) {
      // An API key acts for a team, not a person: its balance shows after the first task instead.
      if (error instanceof LuminaApiError && error.code === 'unauthorized') forget(words(error));
      else if (!(error instanceof LuminaApiError && error.code === 'forbidden')) setNotice(words(error));
    }
  };

  const adoptToken = (next: string) => {
    setToken(next);
    postToMain({ type: 'save-token', token: next });
    setNotice(null);
  };
  const forget = (why: string | null = null) => {
    setToken(null);
    setBalance(null);
    postToMain({ type: 'save-token', token: null });
    setNotice(why);
  };

  useEffect(() => {
    const stop = onMainMessage((message: ToUi) => {
      link.receive(message);
      if (message.type === 'init') {
        setToken(message.token);
        setSelection(message.selection);
        setSettings(message.settings);
        quickJob.current = message.quickJob;
        setReady(true);
      } else if (message.type === 'selection') {
        setSelection(message.items);
      }
    });
    postToMain({ type: 'ui-ready' });
    return stop;
  }, [link]);

  useEffect(() => {
    client
      .capabilities()
      .then(setCapabilities)
      .catch((error: unknown) => setNotice(words(error)));
  }, [client]);

  useEffect(() => {
    void refreshBalance(client);
  }, [client]);

  const available = capabilities?.operations.filter((candidate) => candidate.available) ?? [];
  const capability = available.find((candidate) => candidate.operation === operation);
  const current = capability ? (values[operation] ?? initialOptions(capability)) : {};
  const inputs = selection.map((item) => ({
    widthPx: item.widthPx * (item.hasImageFill ? 1 : settings.exportScale),
    heightPx: item.heightPx * (item.hasImageFill ? 1 : settings.exportScale),
  }));
  const form = capability
    ? describeOptionForm(capability, current, { inputs, host: figmaHost, limits: capabilities?.limits })
    : null;

  const changeSettings = (next: PanelSettings) => {
    setSettings(next);
    postToMain({ type: 'save-settings', settings: next });
  };

  const start = async (job: RunnableJob, items: readonly BatchInput[], review: boolean) => {
    if (items.length === 0 || running) return [];
    setRunning(true);
    setNotice(null);
    const batch = createBatch({
      client,
      link,
      codec: canvasCodec,
      job,
      items,
      settings,
      review,
      limits,
      onChange: (changed) => setRows((all) => mergeRows(all, changed)),
      onCredits: setBalance,
      onDownload: downloadBytes,
    });
    for (const item of batch.items()) batchOf.current.set(item.itemId, batch);
    const done = await batch.run();
    setRunning(false);
    void refreshBalance();
    return done;
  };

  /**
   * Works on a finished result again without uploading it: the step names the result's task (`sourceTaskId`) and
   * its result is placed against the same layer as the first one's. A magic edit with no instruction yet opens its
   * form and says so instead.
   */
  const chain = (row: BatchItem, next: ChainOperation) => {
    if (!row.taskId || !row.after || !row.resultPx) return;
    const step = planChainedStep(
      capabilities,
      { taskId: row.taskId, ...row.resultPx },
      { operation: next, values: values[next], host: figmaHost },
    );
    if (!step) return;
    if (step.kind === 'blocked') {
      setOperation(next);
      setNotice(step.advice);
      return;
    }
    const job: Job = { operation: next, values: { ...step.values } };
    void start(
      { job, params: step.params, label: jobLabel(job) },
      [{ nodeId: row.nodeId, name: row.name, sourceTaskId: step.sourceTaskId, bytes: row.after, ...row.resultPx }],
      true,
    );
  };
  const batches = () => new Set(batchOf.current.values());

  // A quick action (menu command, quick-actions bar, relaunch button) runs with the panel hidden, then reports
  // with a notification and closes: every option it did not set is the capability's default.
  useEffect(() => {
    const job = quickJob.current;
    if (!ready || !job) return;
    const finish = (message: string, error: boolean) => {
      postToMain({ type: 'notify', message, error });
      postToMain({ type: 'close' });
    };
    if (!token) {
      quickJob.current = null;
      finish('Sign in first: open Lumina from the Plugins menu', true);
      return;
    }
    if (!capabilities) return;
    quickJob.current = null;
    const target = capabilities.operations.find((candidate) => candidate.operation === job.operation);
    if (!target?.available) {
      finish(words('operation_unavailable'), true);
      return;
    }
    const runnable = runnableOf(target, { ...initialOptions(target), ...job.values });
    void start(runnable, selection, false).then((done) => {
      const ok = done.filter((item) => item.state.phase === 'done').length;
      const failed = done.find((item) => item.state.phase === 'error');
      if (failed?.state.phase === 'error' && ok === 0) finish(failed.state.message, true);
      else
        finish(
          `Lumina: ${runnable.label} done on ${ok} of ${done.length} ${done.length === 1 ? 'layer' : 'layers'}`,
          ok < done.length,
        );
    });
  }, [ready, token, capabilities]);

  if (!ready || quickJob.current) return <main class="muted">Loading…</main>;

  return (
    <main>
      <header>
        <h1>Lumina</h1>
        {token ? (
          <AccountMenu
            balance={balance}
            onBuy={() => postToMain({ type: 'open-external', url: `${apiOrigin}/billing` })}
            onSignOut={() => {
              void signOut(client);
              forget();
            }}
          />
        ) : null}
      </header>
      {notice ? (
        <div role="alert" data-testid="notice">
          <Banner icon={<IconWarning16 />} variant="warning">
            {notice}
          </Banner>
        </div>
      ) : null}
      {token ? (
        <>
          <div data-field="operation">
            <SegmentedControl
              options={available.map((candidate) => ({
                value: candidate.operation,
                children: operationTitles[candidate.operation],
              }))}
              value={operation}
              onValueChange={(next) => setOperation(next as Operation)}
            />
          </div>
          {form && capability ? (
            <section class="fields">
              {form.fields.map((field) => (
                <Field
                  key={field.key}
                  field={field}
                  onChange={(next) => setValues({ ...values, [operation]: { ...current, [field.key]: next } })}
                />
              ))}
              {form.outputSize ? (
                <p class="hint" data-testid="output-size">
                  {form.outputSize}
                </p>
              ) : null}
            </section>
          ) : null}
          {form?.hostLimitWarning ? (
            <LargeResultChoice
              warning={form.hostLimitWarning}
              value={settings.largeResult}
              onChange={(largeResult) => changeSettings({ ...settings, largeResult })}
            />
          ) : null}
          <PlacementForm
            settings={settings}
            onSettings={changeSettings}
            exports={selection.some((item) => !item.hasImageFill)}
          />
          <p class="muted" data-testid="selection">
            {selectionSummary(selection)}
          </p>
          <Button
            fullWidth
            disabled={running || !form || form.blocker !== null}
            onClick={() => capability && void start(runnableOf(capability, current), selection, true)}
          >
            {form ? form.actionLabel : 'Choose an operation'}
          </Button>
          {form?.blocker && selection.length > 0 ? <p class="hint">{form.blocker}</p> : null}
          <Rows
            rows={rows}
            running={running}
            next={running ? [] : chainActions(capabilities)}
            onChain={chain}
            onCancel={(itemId) => void batchOf.current.get(itemId)?.cancel(itemId)}
            onCancelAll={() => {
              for (const batch of batches()) void batch.cancelAll();
            }}
            onApply={(itemId) => void batchOf.current.get(itemId)?.apply(itemId)}
            onDiscard={(itemId) => batchOf.current.get(itemId)?.discard(itemId)}
            onApplyAll={async () => {
              for (const batch of batches()) await batch.applyAll();
            }}
            onSelect={(nodeId) => postToMain({ type: 'select-node', nodeId })}
            onDownload={(row) => row.after && downloadBytes(row.after, `${row.name}.png`)}
          />
        </>
      ) : (
        <SignIn client={client} onToken={adoptToken} words={words} />
      )}
    </main>
  );
}

const selectionSummary = (selection: readonly SelectionItem[]) => {
  if (selection.length === 0) return 'Select an image layer first';
  if (selection.length === 1) return `1 layer: ${selection[0]?.name ?? ''}`;
  return `${selection.length} layers`;
};

/** Balance and account actions, in the header, away from the main button. */
function AccountMenu(props: { balance: number | null; onBuy: () => void; onSignOut: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="account">
      <span class="balance" data-testid="balance">
        {props.balance === null ? '—' : creditsLabel(props.balance)}
      </span>
      <IconButton title="Account" aria-label="Account" aria-expanded={open} onClick={() => setOpen(!open)}>
        <IconEllipsis24 />
      </IconButton>
      {open ? (
        <div class="menu" role="menu">
          <button
            type="button"
            role="menuitem"
            onClick={() => {
              setOpen(false);
              props.onBuy();
            }}
          >
            Buy credits
          </button>
          <button
            type="button"
            role="menuitem"
            onClick={() => {
              setOpen(false);
              props.onSignOut();
            }}
          >
            Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}

function Field({ field, onChange }: { field: OptionField; onChange: (value: string | number | boolean) => void }) {
  switch (field.kind) {
    case 'toggle':
      return (
        <div data-field={field.key}>
          <Toggle value={field.value} onValueChange={onChange}>
            <Text>{field.label}</Text>
          </Toggle>
        </div>
      );
    case 'slider':
      return (
        <div class="field" data-field={field.key}>
          <Text>
            {field.label} <Muted>{`${field.value} ${field.unit}`}</Muted>
          </Text>
          <RangeSlider
            minimum={field.min}
            maximum={field.max}
            value={String(field.value)}
            onNumericValueInput={onChange}
          />
        </div>
      );
    case 'choice': {
      const chosen = field.options.find((option) => option.value === field.value);
      return (
        <div class="field" data-field={field.key}>
          <Text>{field.label}</Text>
          <SegmentedControl
            options={field.options.map((option) => ({ value: option.value, children: option.label }))}
            value={field.value}
            onValueChange={onChange}
          />
          {chosen?.hint ? <p class="hint">{chosen.hint}</p> : null}
        </div>
      );
    }
    case 'color':
      return (
        <div class="field" data-field={field.key}>
          <Text>{field.label}</Text>
          <TextboxColor
            hexColor={field.value.replace(/^#/, '')}
            opacity="100%"
            onHexColorValueInput={(hex) => onChange(`#${hex}`)}
          />
        </div>
      );
    case 'text':
      return (
        <div class="field" data-field={field.key}>
          <Text>{field.label}</Text>
          <TextboxMultiline value={field.value} placeholder={field.placeholder} rows={2} onValueInput={onChange} />
        </div>
      );
  }
}

function LargeResultChoice(props: { warning: string; value: LargeResult; onChange: (value: LargeResult) => void }) {
  return (
    <section class="field" data-testid="large-warning">
      <Banner icon={<IconCircleInfo16 />} variant="warning">
        {props.warning}
      </Banner>
      <div data-field="large-result">
        <SegmentedControl
          options={[
            { value: 'downscale', children: 'Scale down' },
            { value: 'tiles', children: 'Tiles' },
            { value: 'download', children: 'Download' },
          ]}
          value={props.value}
          onValueChange={(next) => props.onChange(next as LargeResult)}
        />
      </div>
    </section>
  );
}

function PlacementForm(props: { settings: PanelSettings; onSettings: (s: PanelSettings) => void; exports: boolean }) {
  const { settings, onSettings } = props;
  return (
    <section class="fields">
      <div class="field" data-field="placement">
        <Text>Result</Text>
        <Dropdown
          options={[
            { value: 'beside', text: 'New layer beside' },
            { value: 'replace', text: 'Replace in place' },
          ]}
          value={settings.placement}
          onValueChange={(next) => onSettings({ ...settings, placement: next === 'replace' ? 'replace' : 'beside' })}
        />
      </div>
      {settings.placement === 'beside' ? (
        <div data-field="hide-original">
          <Toggle
            value={settings.hideOriginal}
            onValueChange={(hideOriginal) => onSettings({ ...settings, hideOriginal })}
          >
            <Text>Hide the original</Text>
          </Toggle>
        </div>
      ) : null}
      {props.exports ? (
        <div class="field" data-field="export-scale">
          <Text>Export layers at</Text>
          <SegmentedControl
            options={[1, 2, 3, 4].map((scale) => ({ value: String(scale), children: `${scale}×` }))}
            value={String(settings.exportScale)}
            onValueChange={(next) => onSettings({ ...settings, exportScale: Number(next) })}
          />
        </div>
      ) : null}
    </section>
  );
}

function SignIn(props: {
  client: ReturnType<typeof createLuminaClient>;
  onToken: (token: string) => void;
  words: (error: unknown) => string;
}) {
  const [pairing, setPairing] = useState<PairingCreated | null>(null);
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);
  const openUrl = (url: string) => postToMain({ type: 'open-external', url });
  const submitKey = () => {
    if (apiKey.trim()) props.onToken(apiKey.trim());
  };

  const pair = async () => {
    setError(null);
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    try {
      const token = await signInWithBrowser(props.client, {
        client: 'figma',
        label: 'Figma',
        openUrl,
        onPairing: setPairing,
        signal: controller.signal,
      });
      props.onToken(token);
    } catch (caught) {
      if (!controller.signal.aborted) setError(props.words(caught));
      setPairing(null);
    }
  };

  return (
    <section class="fields signin">
      <Text>Sign in to use your team’s credits.</Text>
      {pairing ? (
        <>
          <Text>Approve this code in the browser window that opened:</Text>
          <p class="code" data-testid="user-code">
            {pairing.userCode}
          </p>
          <p class="muted">
            Not opened?{' '}
            <a
              href={pairing.verificationUriComplete}
              onClick={(event) => {
                event.preventDefault();
                openUrl(pairing.verificationUriComplete);
              }}
            >
              Open the sign-in page
            </a>
          </p>
          <Button
            secondary
            onClick={() => {
              abort.current?.abort();
              setPairing(null);
            }}
          >
            Cancel
          </Button>
        </>
      ) : (
        <Button fullWidth onClick={() => void pair()}>
          Sign in with the browser
        </Button>
      )}
      <form
        class="field"
        onSubmit={(event) => {
          event.preventDefault();
          submitKey();
        }}
      >
        <label class="muted" for="api-key">
          Or paste an API key
        </label>
        <div class="row">
          <input
            id="api-key"
            class="textbox"
            type="password"
            name="api-key"
            value={apiKey}
            onInput={(event) => setApiKey(event.currentTarget.value)}
          />
          <Button secondary disabled={!apiKey.trim()} onClick={submitKey}>
            Use key
          </Button>
        </div>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
