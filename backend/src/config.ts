import { resolve } from 'node:path';
import { CreditPack } from '@lumina/shared';
import { z } from 'zod';
import { type StorageConfig, storageConfigFromEnv } from './storage/index.ts';

const positiveInt = z.coerce.number().int().positive();
const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: z.url().optional(),
  DATABASE_URL: z.url().optional(),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  LUMINA_DATA_DIR: z.string().min(1).default('./data'),
  LUMINA_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('lumina'),
  LUMINA_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MAX_UPLOAD_BYTES: positiveInt.default(25 * 1024 * 1024),
  MAX_INPUT_PIXELS: positiveInt.default(64_000_000),
  MAX_INPUT_SIDE_PX: positiveInt.default(12_000),
  RESULT_URL_TTL_SECONDS: positiveInt.default(3600),
  MAX_PREFER_WAIT_SECONDS: positiveInt.default(60),
  JOB_ATTEMPTS: positiveInt.default(3),
  TASK_DEADLINE_SECONDS: positiveInt.default(900),
  /** 0 turns the periodic reconciler off in this process (run it in at least one). */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().nonnegative().default(30_000),
  RECONCILE_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** Days a finished task, its input and its result are kept (paid teams, or everyone without billing); 0: kept. */
  RETENTION_DAYS: z.coerce.number().int().nonnegative().default(30),
  /** Days for free-plan teams where billing is on; 0: kept. */
  RETENTION_DAYS_FREE: z.coerce.number().int().nonnegative().default(7),
  /** How often this process deletes expired tasks; 0 turns the retention job off here (run it in at least one). */
  RETENTION_INTERVAL_MS: z.coerce.number().int().nonnegative().default(3_600_000),
  /** Tasks deleted per transaction by the retention job. */
  RETENTION_BATCH_SIZE: positiveInt.default(100),
  PRICE_REMOVE_BACKGROUND: positiveInt.default(1),
  /** Credits per started 4096×4096 (16.8 MP) of upscaled output. */
  PRICE_UPSCALE: positiveInt.default(2),
  /** Every magic edit costs the operator a paid Gemini image, so it costs more than a removal. */
  PRICE_MAGIC_EDIT: positiveInt.default(4),
  /** Without a key, magic-edit is listed as unavailable and refused at submit; the rest of Lumina works. */
  GEMINI_API_KEY: z.string().min(1).optional(),
  /** The Generative Language API's address; unset means the SDK's default (Google's). */
  GEMINI_BASE_URL: z.url().optional(),
  GEMINI_MODEL: z.string().min(1).default('gemini-2.5-flash-image'),
  /** Edits started per minute across all edit workers (BullMQ's queue-wide limiter), to stay under the quota. */
  GEMINI_EDITS_PER_MINUTE: positiveInt.default(60),
  /** Requests per edit, retries of 429 and 5xx included. */
  GEMINI_MAX_ATTEMPTS: positiveInt.default(3),
  /** First backoff between retries, doubled each time, unless the answer says when to retry. */
  GEMINI_RETRY_BASE_MS: positiveInt.default(2000),
  /** The longest wait between retries that the worker accepts, `Retry-After` included. */
  GEMINI_RETRY_MAX_MS: positiveInt.default(60_000),
  GEMINI_TIMEOUT_MS: positiveInt.default(120_000),
  EDIT_CONCURRENCY: positiveInt.default(4),
  /** How long an edit worker's hold on a job lasts without renewal: a dead worker's edit restarts after this. */
  EDIT_LOCK_DURATION_MS: positiveInt.default(30_000),
  EDIT_STALLED_INTERVAL_MS: positiveInt.default(30_000),
  /** The edit worker's `/metrics` port (0: not served); a port already taken is logged and skipped. */
  EDIT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  MAX_OUTPUT_PIXELS: positiveInt.default(8192 * 8192),
  MAX_OUTPUT_SIDE_PX: positiveInt.default(16_384),
  LOG_REQUESTS: boolean.default(true),
  /** Bytes of a request body on every route but the two uploads (`/api/v1/process`, `/v1.0/removebg`). */
  MAX_BODY_BYTES: positiveInt.default(64 * 1024),
  /** Pixels the API process decodes and encodes at once for served files (variants, thumbnails, watermarks). */
  IMAGE_WORK_MAX_PIXELS: positiveInt.default(32_000_000),
  /** How long a file request waits for image work to start before it is answered 503; 0: refused at once. */
  IMAGE_WORK_MAX_WAIT_MS: z.coerce.number().int().nonnegative().default(15_000),
  /** When set, `/metrics` asks for it as a bearer token. Required when PUBLIC_BASE_URL is not loopback, unless METRICS_PORT is set. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Serves `/metrics` on this port of METRICS_HOST instead of the API's port (0: on the API's port). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Units per API key per minute; a submit costs 10, a read 1. 0 turns the limit off. */
  RATE_LIMIT_API_UNITS_PER_MINUTE: z.coerce.number().int().nonnegative().default(1200),
  /** Sign-in, sign-up and pairing requests per client IP per minute, per endpoint. 0 turns the limit off. */
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().nonnegative().default(10),
  /** `/files` requests (result links) per client IP per minute. 0 turns the limit off. */
  RATE_LIMIT_FILES_PER_MINUTE: z.coerce.number().int().nonnegative().default(600),
  /** Behind a reverse proxy: the client IP is the first hop of `X-Forwarded-For` instead of the socket's peer. */
  TRUST_PROXY: boolean.default(false),
  /** Billing is on only when both Stripe secrets are set; otherwise credits come from the admin CLI. */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Stripe's API address; unset means the library's default (api.stripe.com). Tests point it at a stand-in. */
  STRIPE_API_URL: z.url().optional(),
  /** A Stripe event signed longer ago than this, or this far ahead of our clock, is refused. */
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: positiveInt.default(300),
  /** JSON array of `{id, name, credits, amount, currency}`, `amount` in minor units (cents). */
  CREDIT_PACKS: z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of credit packs' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(CreditPack)
        .min(1)
        .refine((packs) => new Set(packs.map((p) => p.id)).size === packs.length, 'pack ids must be unique'),
    )
    .optional(),
  /** Free-plan teams are topped up to this many credits once each calendar month (UTC); 0 turns it off. */
  FREE_MONTHLY_CREDITS: z.coerce.number().int().nonnegative().default(10),
  /** Google sign-in is offered only when both are set (an OAuth 2.0 "Web application" client). */
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  /** Invites are e-mailed only when set, e.g. `smtp://user:pass@host:587` or `smtps://…:465`. */
  SMTP_URL: z
    .url()
    .refine((url) => /^smtps?:\/\//i.test(url), 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The sender of invite e-mails, e.g. `Lumina <no-reply@example.com>`; required with SMTP_URL. */
  MAIL_FROM: z.string().min(3).optional(),
  /**
   * Delay before each webhook attempt, in ms, comma-separated: the first is the first attempt's; the list's
   * length is the number of attempts (the Standard Webhooks schedule by default, about a day in all).
   */
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be a comma-separated list of milliseconds')
    .transform((raw) => raw.split(',').map((part) => Number(part.trim())))
    .default([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]),
  /** One webhook request; a slower endpoint counts as failed and is retried. */
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  /** Webhook requests one backend process sends at once. */
  WEBHOOK_CONCURRENCY: positiveInt.default(10),
  /** Allow webhook URLs on loopback and private networks (tests, a trusted intranet); refused by default (SSRF). */
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean.default(false),
});

/** Sold when `CREDIT_PACKS` is unset. */
export const defaultCreditPacks: readonly CreditPack[] = [
  { id: 'starter', name: 'Starter', credits: 100, amount: 500, currency: 'usd' },
  { id: 'studio', name: 'Studio', credits: 500, amount: 2000, currency: 'usd' },
  { id: 'agency', name: 'Agency', credits: 2000, amount: 6000, currency: 'usd' },
];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicBaseUrl: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string;
  readonly dataDir: string;
  readonly queuePrefix: string;
  /** HMAC key for result URLs; when unset, one is generated and kept under the data dir. */
  readonly signingSecret: string | undefined;
  readonly storage: StorageConfig;
  readonly limits: {
    readonly maxUploadBytes: number;
    readonly maxInputPixels: number;
    readonly maxInputSidePx: number;
    readonly maxPreferWaitSeconds: number;
    readonly maxOutputPixels: number;
    readonly maxOutputSidePx: number;
    /** Every request body except the uploads'. */
    readonly maxBodyBytes: number;
  };
  /** Served files' image work in this process: pixels in flight, and how long a request waits for room. */
  readonly imageWork: { readonly maxPixels: number; readonly maxWaitMs: number };
  readonly resultUrlTtlSeconds: number;
  readonly jobAttempts: number;
  readonly taskDeadlineSeconds: number;
  readonly reconcileIntervalMs: number;
  readonly reconcileGraceMs: number;
  readonly retention: {
    /** Days a finished task is kept (paid teams, or every team without billing); 0 keeps it. */
    readonly days: number;
    /** Days for free-plan teams where plans apply; 0 keeps it. */
    readonly freePlanDays: number;
    readonly intervalMs: number;
    readonly batchSize: number;
  };
  readonly prices: {
    readonly 'remove-background': number;
    /** Per started `upscalePricePixels` of output. */
    readonly upscale: number;
    readonly 'magic-edit': number;
  };
  readonly gemini: {
    readonly apiKey: string | undefined;
    readonly baseUrl: string | undefined;
    readonly model: string;
    readonly editsPerMinute: number;
    readonly maxAttempts: number;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    readonly timeoutMs: number;
    readonly concurrency: number;
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    readonly metricsPort: number;
  };
  readonly logRequests: boolean;
  readonly metricsToken: string | undefined;
  /** `/metrics` on a port of its own (not on the API's), or undefined: served by the API with `metricsToken`. */
  readonly metricsListen: { readonly port: number; readonly host: string } | undefined;
  /** Sliding-window limits per minute; 0 means off. */
  readonly rateLimits: {
    readonly apiUnitsPerMinute: number;
    readonly authPerMinute: number;
    readonly filesPerMinute: number;
  };
  readonly trustProxy: boolean;
  readonly billing: {
    /** Both Stripe secrets, or undefined: billing is off and the billing routes answer `billing_unavailable`. */
    readonly stripe:
      | {
          readonly secretKey: string;
          readonly webhookSecret: string;
          readonly apiUrl: string | undefined;
          readonly webhookToleranceSeconds: number;
        }
      | undefined;
    readonly packs: readonly CreditPack[];
    readonly freeMonthlyCredits: number;
  };
  /** Both Google OAuth client secrets, or undefined: no Google sign-in, its routes answer 404. */
  readonly google: { readonly clientId: string; readonly clientSecret: string } | undefined;
  /** The SMTP server and sender, or undefined: invite links are shown to the inviter and nothing is sent. */
  readonly mail: { readonly smtpUrl: string; readonly from: string } | undefined;
  readonly webhooks: {
    /** Delay before each attempt; its length is the number of attempts. */
    readonly retryScheduleMs: readonly number[];
    readonly timeoutMs: number;
    readonly concurrency: number;
    readonly allowPrivateUrls: boolean;
  };
}

/** Whether the URL's host is this machine only (`localhost`, 127.0.0.0/8, `::1`): nobody else can reach it. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A configuration problem, reported with the variable's name so the operator knows what to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once, at process start. Nothing else reads `process.env`. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.STRIPE_SECRET_KEY === undefined) !== (e.STRIPE_WEBHOOK_SECRET === undefined)) {
    const missing = e.STRIPE_SECRET_KEY === undefined ? 'STRIPE_SECRET_KEY' : 'STRIPE_WEBHOOK_SECRET';
    throw new ConfigError(
      `invalid configuration:\n  ${missing}: set both Stripe secrets to turn billing on, or neither`,
    );
  }
  if ((e.GOOGLE_CLIENT_ID === undefined) !== (e.GOOGLE_CLIENT_SECRET === undefined)) {
    const missing = e.GOOGLE_CLIENT_ID === undefined ? 'GOOGLE_CLIENT_ID' : 'GOOGLE_CLIENT_SECRET';
    throw new ConfigError(
      `invalid configuration:\n  ${missing}: set both Google OAuth values to turn Google sign-in on, or neither`,
    );
  }
  if (e.SMTP_URL !== undefined && e.MAIL_FROM === undefined) {
    throw new ConfigError('invalid configuration:\n  MAIL_FROM: set the sender address to send mail through SMTP_URL');
  }
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, '');
  if (e.METRICS_TOKEN === undefined && e.METRICS_PORT === 0 && !isLoopbackUrl(publicBaseUrl)) {
    throw new ConfigError(
      `invalid configuration:\n  METRICS_TOKEN: /metrics would be open to anyone at ${publicBaseUrl}; set METRICS_TOKEN ` +
        '(at least 16 characters) to require it as a bearer token, or METRICS_PORT to serve /metrics on a port of its own',
    );
  }
  const dataDir = resolve(e.LUMINA_DATA_DIR);
  let storage: StorageConfig;
  try {
    storage = storageConfigFromEnv(present, dataDir);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir,
    queuePrefix: e.LUMINA_QUEUE_PREFIX,
    signingSecret: e.LUMINA_SIGNING_SECRET,
    storage,
    limits: {
      maxUploadBytes: e.MAX_UPLOAD_BYTES,
      maxInputPixels: e.MAX_INPUT_PIXELS,
      maxInputSidePx: e.MAX_INPUT_SIDE_PX,
      maxPreferWaitSeconds: e.MAX_PREFER_WAIT_SECONDS,
      maxOutputPixels: e.MAX_OUTPUT_PIXELS,
      maxOutputSidePx: e.MAX_OUTPUT_SIDE_PX,
      maxBodyBytes: e.MAX_BODY_BYTES,
    },
    imageWork: { maxPixels: e.IMAGE_WORK_MAX_PIXELS, maxWaitMs: e.IMAGE_WORK_MAX_WAIT_MS },
    resultUrlTtlSeconds: e.RESULT_URL_TTL_SECONDS,
    jobAttempts: e.JOB_ATTEMPTS,
    taskDeadlineSeconds: e.TASK_DEADLINE_SECONDS,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    reconcileGraceMs: e.RECONCILE_GRACE_MS,
    retention: {
      days: e.RETENTION_DAYS,
      freePlanDays: e.RETENTION_DAYS_FREE,
      intervalMs: e.RETENTION_INTERVAL_MS,
      batchSize: e.RETENTION_BATCH_SIZE,
    },
    prices: {
      'remove-background': e.PRICE_REMOVE_BACKGROUND,
      upscale: e.PRICE_UPSCALE,
      'magic-edit': e.PRICE_MAGIC_EDIT,
    },
    gemini: {
      apiKey: e.GEMINI_API_KEY,
      baseUrl: e.GEMINI_BASE_URL,
      model: e.GEMINI_MODEL,
      editsPerMinute: e.GEMINI_EDITS_PER_MINUTE,
      maxAttempts: e.GEMINI_MAX_ATTEMPTS,
      retryBaseMs: e.GEMINI_RETRY_BASE_MS,
      retryMaxMs: e.GEMINI_RETRY_MAX_MS,
      timeoutMs: e.GEMINI_TIMEOUT_MS,
      concurrency: e.EDIT_CONCURRENCY,
      lockDurationMs: e.EDIT_LOCK_DURATION_MS,
      stalledIntervalMs: e.EDIT_STALLED_INTERVAL_MS,
      metricsPort: e.EDIT_METRICS_PORT,
    },
    logRequests: e.LOG_REQUESTS,
    metricsToken: e.METRICS_TOKEN,
    metricsListen: e.METRICS_PORT === 0 ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST },
    rateLimits: {
      apiUnitsPerMinute: e.RATE_LIMIT_API_UNITS_PER_MINUTE,
      authPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE,
      filesPerMinute: e.RATE_LIMIT_FILES_PER_MINUTE,
    },
    trustProxy: e.TRUST_PROXY,
    billing: {
      stripe:
        e.STRIPE_SECRET_KEY !== undefined && e.STRIPE_WEBHOOK_SECRET !== undefined
          ? {
              secretKey: e.STRIPE_SECRET_KEY,
              webhookSecret: e.STRIPE_WEBHOOK_SECRET,
              apiUrl: e.STRIPE_API_URL,
              webhookToleranceSeconds: e.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
            }
          : undefined,
      packs: e.CREDIT_PACKS ?? defaultCreditPacks,
      freeMonthlyCredits: e.FREE_MONTHLY_CREDITS,
    },
    google:
      e.GOOGLE_CLIENT_ID !== undefined && e.GOOGLE_CLIENT_SECRET !== undefined
        ? { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET }
        : undefined,
    mail:
      e.SMTP_URL !== undefined && e.MAIL_FROM !== undefined ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
    webhooks: {
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS,
    },
  });
}
