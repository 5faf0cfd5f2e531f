import { resolve } from 'node:path';
import {
  booleanEnv,
  nonNegativeIntEnv,
  parseEnv,
  portEnv,
  positiveIntEnv,
  queueEnv,
  storageConfigOf,
  storageEnv,
} from '@lumina/runtime';
import { CreditPack } from '@lumina/shared';
import { z } from 'zod';
import { pairingPollIntervalSeconds } from './services/pairings/pairing-policy.ts';

export { ConfigError } from '@lumina/runtime';

/** Token polls one plugin makes in a sliding minute at the pairing's interval, both ends of the minute counted. */
const pollsPerMinuteOfOnePlugin = Math.floor(60 / pairingPollIntervalSeconds) + 1;

/** Sold when `CREDIT_PACKS` is unset. */
export const defaultCreditPacks: readonly CreditPack[] = [
  { id: 'starter', name: 'Starter', credits: 100, amount: 500, currency: 'usd' },
  { id: 'studio', name: 'Studio', credits: 500, amount: 2000, currency: 'usd' },
  { id: 'agency', name: 'Agency', credits: 2000, amount: 6000, currency: 'usd' },
];

/** Whether the URL's host is this machine only (`localhost`, 127.0.0.0/8, `::1`): nobody else can reach it. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Settings that only work in pairs: both set turns the feature on, neither leaves it off, one alone is an error. */
const pairs = [
  ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'set both Stripe secrets to turn billing on, or neither'],
  ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'set both Google OAuth values to turn Google sign-in on, or neither'],
] as const;

/** The API's environment, each variable declared once; its transform is the typed config the process runs on. */
export const ApiEnv = z
  .object({
    ...queueEnv,
    ...storageEnv,
    PORT: portEnv.default(8787),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_BASE_URL: z.url().optional(),
    DATABASE_URL: z.url().optional(),
    LUMINA_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    MAX_UPLOAD_BYTES: positiveIntEnv.default(25 * 1024 * 1024),
    MAX_INPUT_PIXELS: positiveIntEnv.default(64_000_000),
    MAX_INPUT_SIDE_PX: positiveIntEnv.default(12_000),
    RESULT_URL_TTL_SECONDS: positiveIntEnv.default(3600),
    MAX_PREFER_WAIT_SECONDS: positiveIntEnv.default(60),
    JOB_ATTEMPTS: positiveIntEnv.default(3),
    TASK_DEADLINE_SECONDS: positiveIntEnv.default(900),
    /** 0 turns the periodic reconciler off in this process (run it in at least one). */
    RECONCILE_INTERVAL_MS: nonNegativeIntEnv.default(30_000),
    RECONCILE_GRACE_MS: nonNegativeIntEnv.default(10_000),
    /** Days a finished task, its input and its result are kept (paid teams, or everyone without billing); 0: kept. */
    RETENTION_DAYS: nonNegativeIntEnv.default(30),
    /** Days for free-plan teams where billing is on; 0: kept. */
    RETENTION_DAYS_FREE: nonNegativeIntEnv.default(7),
    /** How often this process deletes expired tasks; 0 turns the retention job off here (run it in at least one). */
    RETENTION_INTERVAL_MS: nonNegativeIntEnv.default(3_600_000),
    /** Tasks deleted per transaction by the retention job. */
    RETENTION_BATCH_SIZE: positiveIntEnv.default(100),
    PRICE_REMOVE_BACKGROUND: positiveIntEnv.default(1),
    /** Credits per started 4096×4096 (16.8 MP) of upscaled output. */
    PRICE_UPSCALE: positiveIntEnv.default(2),
    /** Every magic edit costs the operator a paid Gemini image, so it costs more than a removal. */
    PRICE_MAGIC_EDIT: positiveIntEnv.default(4),
    /** Without a key, magic-edit is listed as unavailable and refused at submit; the rest of Lumina works. The edit
     * worker's own settings (GEMINI_MODEL, EDIT_CONCURRENCY, …) are in edit/edit-worker-config.ts. */
    GEMINI_API_KEY: z.string().min(1).optional(),
    MAX_OUTPUT_PIXELS: positiveIntEnv.default(8192 * 8192),
    MAX_OUTPUT_SIDE_PX: positiveIntEnv.default(16_384),
    LOG_REQUESTS: booleanEnv.default(true),
    /** Bytes of a request body on every route but the two uploads (`/api/v1/process`, `/v1.0/removebg`). */
    MAX_BODY_BYTES: positiveIntEnv.default(64 * 1024),
    /** Pixels the API process decodes and encodes at once for served files (variants, thumbnails, watermarks). */
    IMAGE_WORK_MAX_PIXELS: positiveIntEnv.default(32_000_000),
    /** How long a file request waits for image work to start before it is answered 503; 0: refused at once. */
    IMAGE_WORK_MAX_WAIT_MS: nonNegativeIntEnv.default(15_000),
    /** When set, `/metrics` asks for it as a bearer token. Required when PUBLIC_BASE_URL is not loopback, unless METRICS_PORT is set. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Serves `/metrics` on this port of METRICS_HOST instead of the API's port (0: on the API's port). */
    METRICS_PORT: portEnv.default(0),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Units per API key per minute; a submit costs 10, a read 1. 0 turns the limit off. */
    RATE_LIMIT_API_UNITS_PER_MINUTE: nonNegativeIntEnv.default(1200),
    /** Units per team per minute, shared by all its API keys and people (same units). 0 turns the limit off. */
    RATE_LIMIT_TEAM_UNITS_PER_MINUTE: nonNegativeIntEnv.default(3600),
    /** Sign-in, sign-up and pairing requests per client IP per minute, per endpoint. 0 turns the limit off. */
    RATE_LIMIT_AUTH_PER_MINUTE: nonNegativeIntEnv.default(10),
    /** Failed authentications (bad key, token or cookie) per client IP per minute before 429. 0 turns it off. */
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: nonNegativeIntEnv.default(30),
    /** Pairing user-code lookups (and decisions) per signed-in person per minute. 0 turns the limit off. */
    RATE_LIMIT_PAIRING_CODE_PER_MINUTE: nonNegativeIntEnv.default(10),
    /**
     * The plugin's token polls per client IP per minute. A plugin polls every 5 s (12 a minute), so the default
     * leaves room for nine plugins pairing at once behind one address.
     */
    RATE_LIMIT_PAIRING_POLL_PER_MINUTE: nonNegativeIntEnv
      .refine((limit) => limit === 0 || limit >= pollsPerMinuteOfOnePlugin, {
        message: `must be 0 (off) or at least ${pollsPerMinuteOfOnePlugin}, the polls one plugin makes in a minute`,
      })
      .default(120),
    /** IPv6 clients are counted per network of this prefix length (a host usually holds a /64). */
    RATE_LIMIT_IPV6_PREFIX: z.coerce.number().int().min(32).max(128).default(64),
    /** `/files` requests (result links) per client IP per minute. 0 turns the limit off. */
    RATE_LIMIT_FILES_PER_MINUTE: nonNegativeIntEnv.default(600),
    /** Behind a reverse proxy: the client IP is the first hop of `X-Forwarded-For` instead of the socket's peer. */
    TRUST_PROXY: booleanEnv.default(false),
    /** Billing is on only when both Stripe secrets are set; otherwise credits come from the admin CLI. */
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    /** Stripe's API address; unset means the library's default (api.stripe.com). Tests point it at a stand-in. */
    STRIPE_API_URL: z.url().optional(),
    /** A Stripe event signed longer ago than this, or this far ahead of our clock, is refused. */
    STRIPE_WEBHOOK_TOLERANCE_SECONDS: positiveIntEnv.default(300),
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
    FREE_MONTHLY_CREDITS: nonNegativeIntEnv.default(10),
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
    WEBHOOK_TIMEOUT_MS: positiveIntEnv.default(10_000),
    /** Webhook requests one backend process sends at once. */
    WEBHOOK_CONCURRENCY: positiveIntEnv.default(10),
    /** Allow webhook URLs on loopback and private networks (tests, a trusted intranet); refused by default (SSRF). */
    WEBHOOK_ALLOW_PRIVATE_URLS: booleanEnv.default(false),
  })
  .superRefine((e, ctx) => {
    for (const [a, b, message] of pairs) {
      if ((e[a] === undefined) !== (e[b] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [e[a] === undefined ? a : b], message });
      }
    }
    if (e.SMTP_URL !== undefined && e.MAIL_FROM === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message: 'set the sender address to send mail through SMTP_URL',
      });
    }
    const publicBaseUrl = e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`;
    if (e.METRICS_TOKEN === undefined && e.METRICS_PORT === 0 && !isLoopbackUrl(publicBaseUrl)) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_TOKEN'],
        message:
          `/metrics would be open to anyone at ${publicBaseUrl}; set METRICS_TOKEN (at least 16 characters) to ` +
          'require it as a bearer token, or METRICS_PORT to serve /metrics on a port of its own',
      });
    }
  })
  .transform((e) => {
    const dataDir = resolve(e.LUMINA_DATA_DIR);
    return {
      port: e.PORT,
      host: e.HOST,
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
      databaseUrl: e.DATABASE_URL,
      redisUrl: e.REDIS_URL,
      dataDir,
      /** BullMQ key prefix; the backend and its workers must agree on it. */
      queuePrefix: e.LUMINA_QUEUE_PREFIX,
      /** HMAC key for result URLs; when unset, one is generated and kept under the data dir. */
      signingSecret: e.LUMINA_SIGNING_SECRET,
      storage: storageConfigOf(e, dataDir),
      limits: {
        maxUploadBytes: e.MAX_UPLOAD_BYTES,
        maxInputPixels: e.MAX_INPUT_PIXELS,
        maxInputSidePx: e.MAX_INPUT_SIDE_PX,
        maxPreferWaitSeconds: e.MAX_PREFER_WAIT_SECONDS,
        maxOutputPixels: e.MAX_OUTPUT_PIXELS,
        maxOutputSidePx: e.MAX_OUTPUT_SIDE_PX,
        /** Every request body except the uploads'. */
        maxBodyBytes: e.MAX_BODY_BYTES,
      },
      /** Served files' image work in this process: pixels in flight, and how long a request waits for room. */
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
        /** Per started `upscalePricePixels` of output. */
        upscale: e.PRICE_UPSCALE,
        'magic-edit': e.PRICE_MAGIC_EDIT,
      },
      /** Whether magic edits are offered; the edit worker reads its own settings. */
      gemini: { apiKey: e.GEMINI_API_KEY },
      logRequests: e.LOG_REQUESTS,
      metricsToken: e.METRICS_TOKEN,
      /** `/metrics` on a port of its own (not on the API's), or undefined: served by the API with `metricsToken`. */
      metricsListen: e.METRICS_PORT === 0 ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST },
      /** Sliding-window limits per minute; 0 means off. */
      rateLimits: {
        apiUnitsPerMinute: e.RATE_LIMIT_API_UNITS_PER_MINUTE,
        teamUnitsPerMinute: e.RATE_LIMIT_TEAM_UNITS_PER_MINUTE,
        authPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE,
        authFailuresPerMinute: e.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
        pairingCodePerMinute: e.RATE_LIMIT_PAIRING_CODE_PER_MINUTE,
        pairingPollPerMinute: e.RATE_LIMIT_PAIRING_POLL_PER_MINUTE,
        /** IPv6 clients are counted per network of this many leading bits. */
        ipv6PrefixLength: e.RATE_LIMIT_IPV6_PREFIX,
        filesPerMinute: e.RATE_LIMIT_FILES_PER_MINUTE,
      },
      trustProxy: e.TRUST_PROXY,
      billing: {
        /** Both Stripe secrets, or undefined: billing is off and the billing routes answer `billing_unavailable`. */
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
      /** Both Google OAuth client secrets, or undefined: no Google sign-in, its routes answer 404. */
      google:
        e.GOOGLE_CLIENT_ID !== undefined && e.GOOGLE_CLIENT_SECRET !== undefined
          ? { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET }
          : undefined,
      /** The SMTP server and sender, or undefined: invite links are shown to the inviter and nothing is sent. */
      mail:
        e.SMTP_URL !== undefined && e.MAIL_FROM !== undefined ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
      webhooks: {
        /** Delay before each attempt; its length is the number of attempts. */
        retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE_MS,
        timeoutMs: e.WEBHOOK_TIMEOUT_MS,
        concurrency: e.WEBHOOK_CONCURRENCY,
        allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS,
      },
    };
  });
export type Config = z.output<typeof ApiEnv>;

/** Parses the environment once, at process start. Nothing else reads `process.env`. */
export const loadConfig = (env: Record<string, string | undefined>): Config => parseEnv(ApiEnv, env, 'API');
