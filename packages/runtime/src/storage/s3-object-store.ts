import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore } from './object-store.ts';
import type { StorageConfig } from './storage-config.ts';

type S3StorageConfig = Extract<StorageConfig, { kind: 's3' }>;

const defaultContentType = 'application/octet-stream';

/** The SDK models NoSuchKey as a class; the name check covers errors thrown across duplicate SDK copies. */
const isMissingObject = (error: unknown): boolean =>
  error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey');

/** Objects in one bucket of any S3-compatible service (AWS, R2, MinIO, s3rver in tests). */
export const createS3ObjectStore = (config: S3StorageConfig): ObjectStore => {
  const client = new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    // Without explicit keys the SDK's default chain (env, profile, instance role) applies.
    ...(config.accessKeyId !== undefined && config.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
  });
  const Bucket = config.bucket;

  return {
    kind: 's3',

    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType }));
    },

    async get(key) {
      try {
        const response = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        const body = response.Body === undefined ? new Uint8Array() : await response.Body.transformToByteArray();
        return { body, contentType: response.ContentType ?? defaultContentType };
      } catch (error) {
        if (isMissingObject(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      // S3 answers 204 for a missing key too, so deleting twice is not an error.
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },

    async list(prefix) {
      const keys: string[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket,
            Prefix: prefix,
            ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) keys.push(object.Key);
        }
        continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (continuationToken !== undefined);
      return keys.sort();
    },

    async check() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },
  };
};
