import type { z } from 'zod';
import { CreatePairingBody, MeResponse, PairingCreated, PairingToken, PairingTokenBody } from '../accounts.ts';
import { BillingOverview } from '../billing.ts';
import { Capabilities } from '../capabilities.ts';
import { ErrorBody } from '../errors.ts';
import type { Operation } from '../operations.ts';
import { isTerminal, type LuminaClientHeader, SubmitTaskResponse, TaskView } from '../tasks.ts';
import { LuminaApiError } from './lumina-api-error.ts';
import {
  type AbortSignalLike,
  type BlobLike,
  type FetchLike,
  newFormData,
  type ResponseLike,
  sleep,
  webGlobals,
} from './web-globals.ts';

export interface LuminaClientOptions {
  /** The API origin, e.g. `https://api.lumina.example` (no trailing `/api/v1`). */
  readonly baseUrl: string;
  /** A plugin session token or an API key (`lum_…`); without one only the unauthenticated calls work. */
  readonly token?: string | null;
  /** Defaults to the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Sent as `X-Lumina-Client`, so the task history can say the CLI submitted with this key. */
  readonly client?: LuminaClientHeader;
}

/** What to work on: an image, or a completed task of the team whose result is taken as input (a chained step). */
export type SubmitSource =
  | { readonly image: BlobLike; readonly sourceTaskId?: undefined }
  | { readonly sourceTaskId: string; readonly image?: undefined };

export type SubmitInput = SubmitSource & {
  readonly operation: Operation;
  /** Sent as one form field each; booleans as `true`/`false`. */
  readonly params?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly filename?: string;
  /** remove-background: an image to put behind the subject (`bg_image_file`). */
  readonly background?: BlobLike;
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignalLike;
};

export interface Submitted {
  readonly task: SubmitTaskResponse;
  /** `X-Credits-Charged` / `X-Credits-Remaining`: the team's pool after this reservation. */
  readonly creditsCharged: number | null;
  readonly creditsRemaining: number | null;
}

export interface WaitOptions {
  readonly signal?: AbortSignalLike;
  /** Called with every view fetched, terminal one included. */
  readonly onUpdate?: (view: TaskView) => void;
  readonly minPollMs?: number;
  readonly maxPollMs?: number;
}

export type PairingPoll =
  | { readonly status: 'pending' | 'slow_down' }
  | { readonly status: 'approved'; readonly token: PairingToken };

export interface WaitForPairingOptions {
  readonly signal?: AbortSignalLike;
  /** Called before each wait with the interval about to be used (it grows by 5 s after each `slow_down`). */
  readonly onWait?: (intervalSeconds: number) => void;
}

export type LuminaClient = ReturnType<typeof createLuminaClient>;

/**
 * A typed client for Lumina's public API, runtime-neutral (global `fetch`, `FormData`, `Blob`, `AbortSignal`):
 * every answer is parsed with the shared schemas, and every failure is a `LuminaApiError` with a stable code.
 */
export function createLuminaClient(options: LuminaClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const token = options.token ?? null;

  const doFetch = (url: string, init: Parameters<FetchLike>[1]): Promise<ResponseLike> => {
    const fetchFn = options.fetch ?? webGlobals().fetch;
    if (!fetchFn) throw new LuminaApiError('network_error', 'fetch is not available in this runtime.');
    return fetchFn(url, init);
  };

  async function send(
    path: string,
    init: {
      method?: string;
      headers?: Record<string, string>;
      body?: unknown;
      signal?: AbortSignalLike;
      auth?: boolean;
    },
  ): Promise<ResponseLike> {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (options.client) headers['x-lumina-client'] = options.client;
    if (init.auth !== false && token) headers.authorization = `Bearer ${token}`;
    let res: ResponseLike;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body,
        signal: init.signal,
      });
    } catch (error) {
      throw transportError(error, init.signal);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async function json<S extends z.ZodType>(schema: S, res: ResponseLike): Promise<z.infer<S>> {
    let body: unknown;
    try {
      body = await res.json();
    } catch (error) {
      throw new LuminaApiError('invalid_response', 'The server answered with something that is not JSON.', {
        status: res.status,
        cause: error,
      });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new LuminaApiError('invalid_response', 'The server answered in an unexpected shape.', {
        status: res.status,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /** A request body typed by the same schema the route declares (its input side: defaults may be left out). */
  const jsonBody = <S extends z.ZodType>(_schema: S, body: z.input<S>) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  const client = {
    baseUrl,
    token,
    /** The same client acting with another token (or none). */
    withToken: (next: string | null) => createLuminaClient({ ...options, token: next }),

    capabilities: async (signal?: AbortSignalLike): Promise<Capabilities> =>
      json(Capabilities, await send('/api/v1/capabilities', { signal, auth: false })),

    /** Needs a person's session (a plugin token); an API key answers `forbidden`. */
    me: async (signal?: AbortSignalLike): Promise<MeResponse> => json(MeResponse, await send('/api/v1/me', { signal })),

    /** The token's team: plan and credit pool (`balance` spendable, `reserved` held by tasks in flight). */
    billing: async (signal?: AbortSignalLike): Promise<BillingOverview> =>
      json(BillingOverview, await send('/api/v1/billing', { signal })),

    async submit(input: SubmitInput): Promise<Submitted> {
      const form = newFormData();
      if (input.image === undefined) form.append('sourceTaskId', input.sourceTaskId);
      else form.append('image', input.image, input.filename ?? 'image.png');
      if (input.background) form.append('bg_image_file', input.background, 'background');
      form.append('operation', input.operation);
      for (const [name, value] of Object.entries(input.params ?? {})) {
        if (value !== undefined) form.append(name, String(value));
      }
      const headers: Record<string, string> = {};
      if (input.idempotencyKey) headers['idempotency-key'] = input.idempotencyKey;
      const res = await send('/api/v1/process', { method: 'POST', headers, body: form, signal: input.signal });
      return {
        task: await json(SubmitTaskResponse, res),
        creditsCharged: numberHeader(res, 'x-credits-charged'),
        creditsRemaining: numberHeader(res, 'x-credits-remaining'),
      };
    },

    getTask: async (taskId: string, signal?: AbortSignalLike): Promise<TaskView> =>
      json(TaskView, await send(`/api/v1/tasks/${encodeURIComponent(taskId)}`, { signal })),

    cancelTask: async (taskId: string, signal?: AbortSignalLike): Promise<TaskView> =>
      json(TaskView, await send(`/api/v1/tasks/${encodeURIComponent(taskId)}/cancel`, { method: 'POST', signal })),

    /**
     * Polls until the task is settled. The next poll comes when the server's `eta` says the result is due
     * (within `minPollMs`…`maxPollMs`); aborting the signal stops waiting (it does not cancel the task).
     */
    async waitForTask(taskId: string, wait: WaitOptions = {}): Promise<TaskView> {
      const minPollMs = wait.minPollMs ?? 500;
      const maxPollMs = wait.maxPollMs ?? 5_000;
      for (;;) {
        const view = await client.getTask(taskId, wait.signal);
        wait.onUpdate?.(view);
        if (isTerminal(view.status)) return view;
        const dueMs = view.eta === null ? minPollMs : view.eta * 1000;
        try {
          await sleep(Math.min(maxPollMs, Math.max(minPollMs, dueMs)), wait.signal);
        } catch (error) {
          throw transportError(error, wait.signal);
        }
      }
    },

    /** Downloads a result from its signed URL; the URL is the credential, so no bearer header is sent. */
    async download(resultUrl: string, signal?: AbortSignalLike): Promise<Uint8Array> {
      const url = /^https?:\/\//i.test(resultUrl) ? resultUrl : `${baseUrl}${resultUrl}`;
      let res: ResponseLike;
      try {
        res = await doFetch(url, { method: 'GET', signal });
      } catch (error) {
        throw transportError(error, signal);
      }
      if (!res.ok) throw await errorOf(res);
      return new Uint8Array(await res.arrayBuffer());
    },

    /**
     * Revokes this client's plugin session on the server, so the token stops working everywhere it was copied.
     * An API key is not a session: revoke keys from the team's settings instead.
     */
    async signOut(signal?: AbortSignalLike): Promise<void> {
      await send('/api/v1/auth/sign-out', { method: 'POST', signal });
    },

    startPairing: async (body: z.input<typeof CreatePairingBody>, signal?: AbortSignalLike): Promise<PairingCreated> =>
      json(
        PairingCreated,
        await send('/api/v1/pairings', { method: 'POST', ...jsonBody(CreatePairingBody, body), signal, auth: false }),
      ),

    /**
     * One poll for the pairing's token: `pending` and `slow_down` are answers, not errors. A denied, expired or
     * already consumed pairing throws its `LuminaApiError`.
     */
    async pollPairing(pollSecret: string, signal?: AbortSignalLike): Promise<PairingPoll> {
      try {
        const res = await send('/api/v1/pairings/token', {
          method: 'POST',
          ...jsonBody(PairingTokenBody, { pollSecret }),
          signal,
          auth: false,
        });
        return { status: 'approved', token: await json(PairingToken, res) };
      } catch (error) {
        if (error instanceof LuminaApiError && error.code === 'pairing_pending') return { status: 'pending' };
        if (error instanceof LuminaApiError && error.code === 'pairing_slow_down') return { status: 'slow_down' };
        throw error;
      }
    },

    /** Polls every `interval` seconds, 5 s more after each `slow_down` (RFC 8628 §3.5), until approved. */
    async waitForPairing(pairing: PairingCreated, wait: WaitForPairingOptions = {}): Promise<PairingToken> {
      let intervalSeconds = pairing.interval;
      for (;;) {
        wait.onWait?.(intervalSeconds);
        try {
          await sleep(intervalSeconds * 1000, wait.signal);
        } catch (error) {
          throw transportError(error, wait.signal);
        }
        const poll = await client.pollPairing(pairing.pollSecret, wait.signal);
        if (poll.status === 'approved') return poll.token;
        if (poll.status === 'slow_down') intervalSeconds += 5;
      }
    },
  };
  return client;
}

function numberHeader(res: ResponseLike, name: string): number | null {
  const raw = res.headers.get(name);
  const value = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : null;
}

function transportError(error: unknown, signal: AbortSignalLike | undefined): LuminaApiError {
  if (error instanceof LuminaApiError) return error;
  if (signal?.aborted) return new LuminaApiError('aborted', 'Stopped before the answer came.', { cause: error });
  return new LuminaApiError('network_error', 'Could not reach Lumina: check the connection.', { cause: error });
}

async function errorOf(res: ResponseLike): Promise<LuminaApiError> {
  const retryAfter = numberHeader(res, 'retry-after');
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) {
    return new LuminaApiError('invalid_response', `The server answered ${res.status} without an error body.`, {
      status: res.status,
      retryAfterSeconds: retryAfter,
    });
  }
  const { code, message, requestId, details } = parsed.data.error;
  return new LuminaApiError(code, message, { status: res.status, requestId, details, retryAfterSeconds: retryAfter });
}
