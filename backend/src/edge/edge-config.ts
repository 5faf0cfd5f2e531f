import { z } from 'zod';

/** An R2 object's metadata, as the binding returns it when a condition (`onlyIf`) left the body out. */
export interface R2ObjectHead {
  readonly size: number;
  /** The quoted ETag, ready for the `ETag` header. */
  readonly httpEtag: string;
  readonly httpMetadata?: { contentType?: string };
}

/** The part of Cloudflare's `R2Bucket` binding the edge uses (the full type is in @cloudflare/workers-types). */
export interface R2BucketBinding {
  get(key: string, options?: { onlyIf?: Headers }): Promise<(R2ObjectHead & { body?: ReadableStream }) | null>;
}

/** Bindings the edge worker reads from `wrangler.toml`, its secrets and the Workers dashboard. */
export interface EdgeBindings {
  /** Where the Node backend answers, e.g. https://origin.lumina.example */
  LUMINA_ORIGIN: string;
  /** The origin's LUMINA_SIGNING_SECRET (`wrangler secret put`), so links are checked here. */
  LUMINA_SIGNING_SECRET: string;
  /** The R2 bucket the origin writes results to through its S3 API; unbound, every file comes from the origin. */
  RESULTS?: R2BucketBinding;
}

const EdgeEnv = z.object({
  LUMINA_ORIGIN: z.url({ protocol: /^https?$/ }),
  LUMINA_SIGNING_SECRET: z.string().min(32, 'must be the origin’s LUMINA_SIGNING_SECRET (at least 32 characters)'),
  RESULTS: z
    .custom<R2BucketBinding>((value) => typeof value === 'object' && value !== null && 'get' in value, {
      message: 'must be an R2 bucket binding',
    })
    .optional(),
});

/** Web Crypto's key type, named through the API so the Node and Workers type sets both accept it. */
export type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export interface EdgeConfig {
  readonly origin: URL;
  readonly results: R2BucketBinding | undefined;
  /** The HMAC key, imported once per isolate. */
  readonly signingKey: Promise<HmacKey>;
}

// Workers hand the same env object to every request of an isolate: parse it and import the key once.
const parsed = new WeakMap<object, EdgeConfig>();

/** The edge's configuration, parsed with zod on first use; a misconfigured worker fails every request loudly. */
export function edgeConfigOf(env: EdgeBindings): EdgeConfig {
  const known = parsed.get(env);
  if (known) return known;
  const result = EdgeEnv.safeParse(env);
  if (!result.success) throw new Error(`Invalid edge worker configuration: ${z.prettifyError(result.error)}`);
  const config: EdgeConfig = {
    origin: new URL(result.data.LUMINA_ORIGIN),
    results: result.data.RESULTS,
    signingKey: crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(result.data.LUMINA_SIGNING_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    ),
  };
  parsed.set(env, config);
  return config;
}
