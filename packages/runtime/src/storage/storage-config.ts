import { z } from 'zod';

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

const parseBoolean = (name: string, value: string): boolean => {
  const normalized = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalized)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`);
};

/** Treats an empty variable as unset, which is what `FOO= cmd` in a shell means. */
const read = (env: Record<string, string | undefined>, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/**
 * S3 when `S3_BUCKET` is set, otherwise a folder under the data dir. Path-style addressing defaults to on
 * when an endpoint is given because self-hosted S3 servers (MinIO, s3rver) rarely serve bucket subdomains.
 */
export const storageConfigFromEnv = (env: Record<string, string | undefined>, dataDir: string): StorageConfig => {
  const bucket = read(env, 'S3_BUCKET');
  if (bucket === undefined) return StorageConfig.parse({ kind: 'fs', dir: `${dataDir}/objects` });

  const endpoint = read(env, 'S3_ENDPOINT');
  const forcePathStyleRaw = read(env, 'S3_FORCE_PATH_STYLE');
  const candidate = {
    kind: 's3',
    bucket,
    region: read(env, 'S3_REGION') ?? 'us-east-1',
    endpoint,
    accessKeyId: read(env, 'S3_ACCESS_KEY_ID'),
    secretAccessKey: read(env, 'S3_SECRET_ACCESS_KEY'),
    forcePathStyle:
      forcePathStyleRaw === undefined ? endpoint !== undefined : parseBoolean('S3_FORCE_PATH_STYLE', forcePathStyleRaw),
  };
  const parsed = StorageConfig.safeParse(candidate);
  if (parsed.success) return parsed.data;

  const envNameOf: Record<string, string> = {
    bucket: 'S3_BUCKET',
    region: 'S3_REGION',
    endpoint: 'S3_ENDPOINT',
    accessKeyId: 'S3_ACCESS_KEY_ID',
    secretAccessKey: 'S3_SECRET_ACCESS_KEY',
    forcePathStyle: 'S3_FORCE_PATH_STYLE',
  };
  const problems = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    return `${envNameOf[field] ?? field}: ${issue.message}`;
  });
  throw new Error(`Invalid object storage configuration: ${problems.join('; ')}`);
};
