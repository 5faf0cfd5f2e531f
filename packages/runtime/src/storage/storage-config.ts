import { z } from 'zod';
import { booleanEnv } from '../config/env-fields.ts';
import { parseEnv } from '../config/parse-env.ts';

/** Where objects live: a folder on local disk (the embedded default) or any S3-compatible service. */
export const StorageConfig = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fs'), dir: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('s3'),
    bucket: z.string().min(3).max(63),
    region: z.string().min(1),
    endpoint: z.url().optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    forcePathStyle: z.boolean(),
  }),
]);
export type StorageConfig = z.infer<typeof StorageConfig>;

/** The object-storage variables, declared once for every process that reads or writes objects. */
export const storageEnv = {
  /** S3 when set; otherwise a folder under the data dir. */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: booleanEnv.optional(),
};
const StorageEnv = z.object(storageEnv);
type StorageEnv = z.output<typeof StorageEnv>;

/**
 * The storage a process's parsed variables name. Path-style addressing defaults to on when an endpoint is
 * given because self-hosted S3 servers (MinIO, s3rver) rarely serve bucket subdomains.
 */
export function storageConfigOf(e: StorageEnv, dataDir: string): StorageConfig {
  if (e.S3_BUCKET === undefined) return { kind: 'fs', dir: `${dataDir}/objects` };
  return {
    kind: 's3',
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
    endpoint: e.S3_ENDPOINT,
    accessKeyId: e.S3_ACCESS_KEY_ID,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY,
    forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
  };
}

/** The storage variables alone, for tools and tests that need a store without a whole process's config. */
export const storageConfigFromEnv = (env: Record<string, string | undefined>, dataDir: string): StorageConfig =>
  parseEnv(
    StorageEnv.transform((e) => storageConfigOf(e, dataDir)),
    env,
    'object storage',
  );
