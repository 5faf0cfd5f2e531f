import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** s3rver ships no types; this is the part of its API the tests use. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverServer;
const S3rver: S3rverConstructor = createRequire(import.meta.url)('s3rver');

export const testBucket = 'lumina-test-objects';

/** A real S3-compatible server on a random local port, with one bucket, in its own temp folder. */
export const startS3rver = async (): Promise<{ endpoint: string; close(): Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'lumina-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: testBucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
