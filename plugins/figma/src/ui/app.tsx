import {
  type Capabilities,
  createLuminaClient,
  LuminaApiError,
  type Operation,
  type OperationCapability,
  type PairingCreated,
} from '@lumina/shared';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { explainError } from '../lib/explain-error.ts';
import type { QuickAction, SelectionItem, ToUi } from '../lib/messages.ts';
import { type Job, jobOfQuickAction, predictedOutputPx } from '../lib/operations.ts';
import { onMainMessage, postToMain } from './bridge.ts';
import { canvasCodec } from './canvas-codec.ts';
import { downloadBytes } from './download-bytes.ts';
import { createMainLink } from './main-link.ts';
import { type BatchItem, type BatchSettings, createBatch, type ItemPhase, type LargeResult } from './run-batch.ts';

const labels: Record<Operation, string> = {
  'remove-background': 'Remove background',
  upscale: 'Upscale',
  'magic-edit': 'Magic edit',
};

/** Figma takes PNG (not WebP) from `createImage`: the format is fixed, not offered. */
const hiddenParams = new Set(['format']);

const messageOf = (error: unknown) =>
  error instanceof LuminaApiError ? explainError(error.code) : explainError('internal_error');

export function App({ apiOrigin }: { apiOrigin: string }) {
  const [ready, setReady] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const [selection, setSelection] = useState<SelectionItem[]>([]);
  const [capabilities, setCapabilities] = useState<Capabilities | null>(null);
  const [balance, setBalance] = useState<number | null>(null);
  const [teamName, setTeamName] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [operation, setOperation] = useState<Operation>('remove-background');
  const [params, setParams] = useState<Record<string, string | boolean>>({});
  const [settings, setSettings] = useState<BatchSettings>({
    placement: 'beside',
    hideOriginal: false,
    exportScale: 1,
    largeResult: 'downscale',
  });
  const [rows, setRows] = useState<readonly BatchItem[]>([]);
  const [running, setRunning] = useState(false);
  const batchRef = useRef<ReturnType<typeof createBatch> | null>(null);
  const pendingQuickAction = useRef<QuickAction | null>(null);

  const link = useMemo(() => createMainLink(postToMain), []);
  const client = useMemo(() => createLuminaClient({ baseUrl: apiOrigin, token }), [apiOrigin, token]);

  const refreshBalance = async (current = client) => {
    if (!current.token) return;
    try {
      const me = await current.me();
      const team = me.teams.find((candidate) => candidate.id === me.activeTeamId);
      if (team) {
        setBalance(team.balance - team.reserved);
        setTeamName(team.name);
      }
    } catch (error) {
      // An API key acts for a team, not a person: its balance shows after the first task instead.
      if (error instanceof LuminaApiError && error.code === 'unauthorized') signOut(explainError('unauthorized'));
      else if (!(error instanceof LuminaApiError && error.code === 'forbidden')) setNotice(messageOf(error));
    }
  };

  const signIn = (next: string) => {
    setToken(next);
    postToMain({ type: 'save-token', token: next });
    setNotice(null);
  };
  const signOut = (why: string | null = null) => {
    setToken(null);
    setBalance(null);
    setTeamName(null);
    postToMain({ type: 'save-token', token: null });
    setNotice(why);
  };

  useEffect(() => {
    const stop = onMainMessage((message: ToUi) => {
      link.receive(message);
      if (message.type === 'init') {
        setToken(message.token);
        setSelection(message.selection);
        pendingQuickAction.current = message.quickAction;
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
      .catch((error: unknown) => setNotice(messageOf(error)));
  }, [client]);

  useEffect(() => {
    void refreshBalance(client);
  }, [client]);

  const available = capabilities?.operations.filter((candidate) => candidate.available) ?? [];
  const capability: OperationCapability | undefined = available.find((candidate) => candidate.operation === operation);

  const jobOf = (): Job => ({
    operation,
    params: { ...params, format: 'png' },
    label:
      operation === 'upscale'
        ? `Upscale ${String(params.scale ?? capability?.params[0]?.default ?? '2')}×`
        : labels[operation],
  });

  const start = async (job: Job, items: readonly SelectionItem[]) => {
    if (items.length === 0 || running) return;
    setRunning(true);
    setNotice(null);
    const batch = createBatch({
      client,
      link,
      codec: canvasCodec,
      job,
      items,
      settings,
      onChange: setRows,
      onCredits: setBalance,
      onDownload: downloadBytes,
    });
    batchRef.current = batch;
    const done = await batch.run();
    setRunning(false);
    void refreshBalance();
    const ok = done.filter((item) => item.state.phase === 'done').length;
    postToMain({ type: 'notify', message: `Lumina: ${ok} of ${done.length} done` });
  };

  // A menu command (Remove background, Upscale 2×/4×) runs at once on the selection, once signed in.
  useEffect(() => {
    const action = pendingQuickAction.current;
    if (!ready || !token || !action || !capabilities) return;
    pendingQuickAction.current = null;
    void start(jobOfQuickAction(action), selection);
  }, [ready, token, capabilities]);

  if (!ready) return <main class="muted">Loading…</main>;

  return (
    <main>
      <header>
        <h1>Lumina</h1>
        {token ? (
          <span>
            <span class="balance" data-testid="balance">
              {balance === null ? '—' : `${balance} credits`}
            </span>{' '}
            <a
              href={`${apiOrigin}/billing`}
              target="_blank"
              rel="noreferrer"
              onClick={(event) => {
                event.preventDefault();
                postToMain({ type: 'open-external', url: `${apiOrigin}/billing` });
              }}
            >
              Buy credits
            </a>
          </span>
        ) : null}
      </header>
      {notice ? (
        <p class="error" role="alert" data-testid="notice">
          {notice}
        </p>
      ) : null}
      {token ? (
        <>
          {teamName ? <p class="muted">Team: {teamName}</p> : null}
          <OperationForm
            available={available}
            operation={operation}
            onOperation={(next) => {
              setOperation(next);
              setParams({});
            }}
            capability={capability}
            params={params}
            onParams={setParams}
          />
          <SettingsForm settings={settings} onSettings={setSettings} />
          <SelectionSummary selection={selection} job={jobOf()} settings={settings} onSettings={setSettings} />
          <div style={{ display: 'flex', gap: '6px' }}>
            <button
              type="button"
              class="primary"
              disabled={running || selection.length === 0 || !capability}
              onClick={() => void start(jobOf(), selection)}
            >
              {capability ? labels[capability.operation] : 'Choose an operation'}
              {capability ? ` · ${capability.credits * selection.length} credits` : ''}
            </button>
            {running ? (
              <button type="button" onClick={() => void batchRef.current?.cancelAll()}>
                Cancel all
              </button>
            ) : null}
          </div>
          <Rows rows={rows} onCancel={(itemId) => void batchRef.current?.cancel(itemId)} />
          <footer>
            <button type="button" onClick={() => signOut()}>
              Sign out
            </button>
          </footer>
        </>
      ) : (
        <SignIn client={client} onToken={signIn} />
      )}
    </main>
  );
}

function SignIn({
  client,
  onToken,
}: {
  client: ReturnType<typeof createLuminaClient>;
  onToken: (token: string) => void;
}) {
  const [pairing, setPairing] = useState<PairingCreated | null>(null);
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const pair = async () => {
    setError(null);
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    try {
      const created = await client.startPairing({ client: 'figma', label: 'Figma' });
      setPairing(created);
      postToMain({ type: 'open-external', url: created.verificationUriComplete });
      const token = await client.waitForPairing(created, { signal: controller.signal });
      onToken(token.token);
    } catch (caught) {
      if (!controller.signal.aborted) setError(messageOf(caught));
      setPairing(null);
    }
  };

  return (
    <section class="box">
      <p>Sign in to use your team’s credits.</p>
      {pairing ? (
        <>
          <p>Approve this code in the browser window that opened:</p>
          <p class="code" data-testid="user-code">
            {pairing.userCode}
          </p>
          <p class="muted">
            Not opened?{' '}
            <a
              href={pairing.verificationUriComplete}
              onClick={(event) => {
                event.preventDefault();
                postToMain({ type: 'open-external', url: pairing.verificationUriComplete });
              }}
            >
              Open the sign-in page
            </a>
          </p>
          <button
            type="button"
            onClick={() => {
              abort.current?.abort();
              setPairing(null);
            }}
          >
            Cancel
          </button>
        </>
      ) : (
        <button type="button" class="primary" onClick={() => void pair()}>
          Sign in with the browser
        </button>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (apiKey.trim()) onToken(apiKey.trim());
        }}
      >
        <label>
          Or paste an API key
          <input
            type="password"
            name="api-key"
            value={apiKey}
            onInput={(event) => setApiKey(event.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={!apiKey.trim()}>
          Use key
        </button>
      </form>
      {error ? <p class="error">{error}</p> : null}
    </section>
  );
}

function OperationForm(props: {
  available: readonly OperationCapability[];
  operation: Operation;
  onOperation: (operation: Operation) => void;
  capability: OperationCapability | undefined;
  params: Record<string, string | boolean>;
  onParams: (params: Record<string, string | boolean>) => void;
}) {
  const { capability, params, onParams } = props;
  return (
    <section class="box">
      <label>
        Operation
        <select
          name="operation"
          value={props.operation}
          onChange={(event) => props.onOperation(event.currentTarget.value as Operation)}
        >
          {props.available.map((candidate) => (
            <option key={candidate.operation} value={candidate.operation}>
              {labels[candidate.operation]} ({candidate.credits} cr)
            </option>
          ))}
        </select>
      </label>
      {capability?.params
        .filter((param) => !hiddenParams.has(param.name))
        .map((param) => {
          const value = params[param.name] ?? param.default;
          const set = (next: string | boolean) => onParams({ ...params, [param.name]: next });
          if (param.type === 'boolean') {
            return (
              <label key={param.name} title={param.description}>
                {param.name}
                <input
                  type="checkbox"
                  name={param.name}
                  checked={value === true}
                  onChange={(event) => set(event.currentTarget.checked)}
                />
              </label>
            );
          }
          if (param.type === 'enum' && param.values) {
            return (
              <label key={param.name} title={param.description}>
                {param.name}
                <select
                  name={param.name}
                  value={String(value ?? '')}
                  onChange={(event) => set(event.currentTarget.value)}
                >
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
              <textarea
                key={param.name}
                name={param.name}
                placeholder={param.description}
                maxLength={param.maxLength}
                value={String(value ?? '')}
                onInput={(event) => set(event.currentTarget.value)}
              />
            );
          }
          return (
            <label key={param.name} title={param.description}>
              {param.name}
              <input
                type="text"
                name={param.name}
                value={String(value ?? '')}
                onInput={(event) => set(event.currentTarget.value)}
              />
            </label>
          );
        })}
    </section>
  );
}

function SettingsForm({ settings, onSettings }: { settings: BatchSettings; onSettings: (s: BatchSettings) => void }) {
  return (
    <section class="box">
      <label>
        Result
        <select
          name="placement"
          value={settings.placement}
          onChange={(event) =>
            onSettings({ ...settings, placement: event.currentTarget.value === 'replace' ? 'replace' : 'beside' })
          }
        >
          <option value="beside">New layer beside</option>
          <option value="replace">Replace in place</option>
        </select>
      </label>
      {settings.placement === 'beside' ? (
        <label>
          Hide the original
          <input
            type="checkbox"
            name="hide-original"
            checked={settings.hideOriginal}
            onChange={(event) => onSettings({ ...settings, hideOriginal: event.currentTarget.checked })}
          />
        </label>
      ) : null}
      <label>
        Export scale (layers without an image fill)
        <select
          name="export-scale"
          value={String(settings.exportScale)}
          onChange={(event) => onSettings({ ...settings, exportScale: Number(event.currentTarget.value) })}
        >
          {[1, 2, 3, 4].map((scale) => (
            <option key={scale} value={String(scale)}>
              {scale}×
            </option>
          ))}
        </select>
      </label>
    </section>
  );
}

function SelectionSummary({
  selection,
  job,
  settings,
  onSettings,
}: {
  selection: readonly SelectionItem[];
  job: Job;
  settings: BatchSettings;
  onSettings: (s: BatchSettings) => void;
}) {
  if (selection.length === 0) return <p class="muted">Select one or more layers.</p>;
  const large = selection.filter((item) => {
    const scale = item.hasImageFill ? 1 : settings.exportScale;
    const out = predictedOutputPx(job, item.widthPx * scale, item.heightPx * scale);
    return out.widthPx > 4096 || out.heightPx > 4096;
  });
  return (
    <>
      <p class="muted" data-testid="selection">
        {selection.length === 1 ? `1 layer: ${selection[0]?.name}` : `${selection.length} layers selected`}
      </p>
      {large.length > 0 ? <LargeResultChoice count={large.length} settings={settings} onSettings={onSettings} /> : null}
    </>
  );
}

/** Shown before sending: Figma will not take the result whole, so the user picks what happens to it. */
function LargeResultChoice({
  count,
  settings,
  onSettings,
}: {
  count: number;
  settings: BatchSettings;
  onSettings: (s: BatchSettings) => void;
}) {
  const choose = (value: LargeResult) => onSettings({ ...settings, largeResult: value });
  return (
    <section class="box warning" data-testid="large-warning">
      <p>{count === 1 ? 'One result' : `${count} results`} will be over 4096 px on a side, more than Figma can hold.</p>
      <label>
        Then
        <select
          name="large-result"
          value={settings.largeResult}
          onChange={(event) => choose(event.currentTarget.value as LargeResult)}
        >
          <option value="downscale">Downscale to 4096 px</option>
          <option value="tiles">Insert as a group of tiles</option>
          <option value="download">Download it instead</option>
        </select>
      </label>
    </section>
  );
}

function describePhase(state: ItemPhase): string {
  switch (state.phase) {
    case 'waiting':
      return 'Waiting';
    case 'sending':
      return 'Sending…';
    case 'queued':
      return `Queued${state.position === null ? '' : ` #${state.position + 1}`}${
        state.etaSeconds === null ? '' : ` · ~${Math.ceil(state.etaSeconds)} s`
      }`;
    case 'processing':
      return `Processing ${state.percent}%`;
    case 'inserting':
      return 'Inserting…';
    case 'done':
      return state.note ?? 'Done';
    case 'error':
      return explainError(state.code);
    case 'canceled':
      return 'Canceled';
  }
}

function Rows({ rows, onCancel }: { rows: readonly BatchItem[]; onCancel: (itemId: string) => void }) {
  if (rows.length === 0) return null;
  return (
    <ul class="rows" data-testid="rows">
      {rows.map((row) => {
        const open = row.state.phase !== 'done' && row.state.phase !== 'error' && row.state.phase !== 'canceled';
        return (
          <li key={row.itemId} data-phase={row.state.phase} data-item={row.itemId}>
            <span class="name">{row.name}</span>
            <span class="status">{describePhase(row.state)}</span>
            {open ? (
              <button type="button" aria-label={`Cancel ${row.name}`} onClick={() => onCancel(row.itemId)}>
                ×
              </button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
