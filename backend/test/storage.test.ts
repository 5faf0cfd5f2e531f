import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createFsObjectStore,
  createObjectStore,
  createS3ObjectStore,
  type ObjectStore,
  storageConfigFromEnv,
} from '@lumina/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startS3rver, testBucket } from './support/s3rver.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

interface StoreUnderTest {
  name: string;
  setUp(): Promise<ObjectStore>;
  tearDown(): Promise<void>;
}

const fsStore = (): StoreUnderTest => {
  let dir = '';
  return {
    name: 'fs',
    async setUp() {
      dir = await mkdtemp(join(tmpdir(), 'lumina-fs-store-'));
      return createFsObjectStore(join(dir, 'objects'));
    },
    async tearDown() {
      await rm(dir, { recursive: true, force: true });
    },
  };
};

const s3StoreFor = (endpoint: string, bucket: string): ObjectStore =>
  createS3ObjectStore({
    kind: 's3',
    bucket,
    region: 'us-east-1',
    endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });

const s3Store = (): StoreUnderTest => {
  let server: Awaited<ReturnType<typeof startS3rver>> | undefined;
  return {
    name: 's3 (s3rver)',
    async setUp() {
      server = await startS3rver();
      return s3StoreFor(server.endpoint, testBucket);
    },
    async tearDown() {
      await server?.close();
    },
  };
};

describe.each([fsStore(), s3Store()])('ObjectStore contract: $name', (subject) => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = await subject.setUp();
  });
  afterAll(async () => {
    await subject.tearDown();
  });

  /** Each test writes under its own prefix so tests never see each other's objects. */
  const prefix = (): string => `t-${randomUUID()}/`;

  it('returns the bytes and content type that were put', async () => {
    const key = `${prefix()}inputs/task_a.png`;
    const body = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await store.put(key, body, 'image/png');
    const object = await store.get(key);
    expect(object).not.toBeNull();
    expect(Array.from(object?.body ?? [])).toEqual(Array.from(body));
    expect(object?.contentType).toBe('image/png');
  });

  it('replaces an existing object and its content type on put', async () => {
    const key = `${prefix()}results/task_b`;
    await store.put(key, bytes('first version, longer'), 'image/png');
    await store.put(key, bytes('second'), 'image/webp');
    const object = await store.get(key);
    expect(new TextDecoder().decode(object?.body)).toBe('second');
    expect(object?.contentType).toBe('image/webp');
  });

  it('answers null for a key that was never written', async () => {
    expect(await store.get(`${prefix()}missing`)).toBeNull();
  });

  it('deletes an object, and deleting it again or a missing key is not an error', async () => {
    const key = `${prefix()}gone`;
    await store.put(key, bytes('x'), 'text/plain');
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    await expect(store.delete(key)).resolves.toBeUndefined();
    await expect(store.delete(`${prefix()}never-written`)).resolves.toBeUndefined();
  });

  it('treats a key that is only a prefix of other keys as no object', async () => {
    const root = prefix();
    await store.put(`${root}inputs/task_nested`, bytes('nested'), 'text/plain');
    expect(await store.get(`${root}inputs`)).toBeNull();
    await expect(store.delete(`${root}inputs`)).resolves.toBeUndefined();
    expect(await store.list(root)).toEqual([`${root}inputs/task_nested`]);
  });

  it('lists every key under a prefix, nested ones included, and nothing outside it', async () => {
    const root = prefix();
    const inside = [`${root}inputs/task_1`, `${root}inputs/task_2`, `${root}inputs/deep/er/task_3.png`];
    const outside = [`${root}results/task_1.png`, `${root}inputsx`];
    for (const key of [...inside, ...outside]) await store.put(key, bytes(key), 'text/plain');

    expect(await store.list(`${root}inputs/`)).toEqual([...inside].sort());
    expect(await store.list(`${root}inputs/task_`)).toEqual([`${root}inputs/task_1`, `${root}inputs/task_2`]);
    expect(await store.list(root)).toEqual([...inside, ...outside].sort());
    expect(await store.list(`${prefix()}nothing/`)).toEqual([]);
  });

  it('stops listing a deleted key', async () => {
    const root = prefix();
    await store.put(`${root}a`, bytes('a'), 'text/plain');
    await store.put(`${root}b`, bytes('b'), 'text/plain');
    await store.delete(`${root}a`);
    expect(await store.list(root)).toEqual([`${root}b`]);
  });

  it('passes its readiness check when reachable', async () => {
    await expect(store.check()).resolves.toBeUndefined();
  });
});

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 20) only offers through
 * its legacy provider; an in-process s3rver answers 500 to any truncated listing. This one runs in a child
 * process with that provider so pagination is exercised against the real server.
 */
const startS3rverWithLegacyCrypto = async (): Promise<{ endpoint: string; close(): Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'lumina-s3rver-legacy-'));
  const script = `
    const S3rver = require(process.env.S3RVER_PATH);
    new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.env.S3RVER_DIR,
      configureBuckets: [{ name: process.env.S3RVER_BUCKET }] })
      .run().then((address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'));
  `;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    env: {
      ...process.env,
      S3RVER_PATH: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_DIR: dir,
      S3RVER_BUCKET: testBucket,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const [firstLine] = await Promise.race([
    once(lines, 'line'),
    exited.then(() => {
      throw new Error('s3rver child process exited before listening');
    }),
  ]);
  lines.close();
  const { port } = z.object({ port: z.number() }).parse(JSON.parse(String(firstLine)));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      child.kill();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
};

describe('S3 object store pagination', () => {
  let server: Awaited<ReturnType<typeof startS3rverWithLegacyCrypto>>;
  let store: ObjectStore;
  beforeAll(async () => {
    server = await startS3rverWithLegacyCrypto();
    store = s3StoreFor(server.endpoint, testBucket);
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists every key when there are more than one ListObjectsV2 page holds (1000)', async () => {
    const root = `t-${randomUUID()}/`;
    const keys = Array.from({ length: 1005 }, (_, i) => `${root}${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, bytes('.'), 'text/plain')));
    }
    expect(await store.list(root)).toEqual(keys);
  }, 60_000);
});

describe('S3 object store failures', () => {
  it('fails its readiness check when the bucket does not exist', async () => {
    const server = await startS3rver();
    try {
      await expect(s3StoreFor(server.endpoint, 'lumina-no-such-bucket').check()).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('fails its readiness check when the server cannot be reached', async () => {
    const server = await startS3rver();
    const { endpoint } = server;
    await server.close();
    await expect(s3StoreFor(endpoint, testBucket).check()).rejects.toThrow();
  });
});

describe('fs object store', () => {
  let dir: string;
  let store: ObjectStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lumina-fs-keys-'));
    store = createFsObjectStore(join(dir, 'objects'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    '../x',
    'a/../../x',
    '/etc/passwd',
    'a//b',
    'a/',
    '',
    '.tmp/x',
    '.content-types/x',
    'a\\b',
    'spaces are not keys',
  ])('refuses the key %j, which could escape or corrupt the folder', async (key) => {
    await expect(store.put(key, bytes('x'), 'text/plain')).rejects.toThrow(/Invalid object key/);
    await expect(store.get(key)).rejects.toThrow(/Invalid object key/);
    await expect(store.delete(key)).rejects.toThrow(/Invalid object key/);
  });

  it('refuses a list prefix that climbs out of the folder', async () => {
    await expect(store.list('../')).rejects.toThrow(/Invalid object key prefix/);
  });

  it('leaves no temporary files behind after writes', async () => {
    await store.put('inputs/task_tmp', bytes('x'), 'text/plain');
    await store.check();
    expect(await store.list('')).toEqual(['inputs/task_tmp']);
    const tmp = await stat(join(dir, 'objects', '.tmp'));
    expect(tmp.isDirectory()).toBe(true);
  });

  it('fails its readiness check when the folder cannot be created', async () => {
    // A regular file where a parent folder should be makes mkdir fail with ENOTDIR, as root too.
    const notAFolder = join(dir, 'not-a-folder');
    await writeFile(notAFolder, 'x');
    await expect(createFsObjectStore(join(notAFolder, 'objects')).check()).rejects.toThrow();
  });
});

describe('storageConfigFromEnv', () => {
  it('uses a folder under the data dir when no bucket is configured', () => {
    expect(storageConfigFromEnv({}, '/srv/data')).toEqual({ kind: 'fs', dir: '/srv/data/objects' });
  });

  it('uses S3 with path-style addressing by default when an endpoint is given', () => {
    expect(
      storageConfigFromEnv(
        {
          S3_BUCKET: 'lumina-objects',
          S3_ENDPOINT: 'http://127.0.0.1:9000',
          S3_ACCESS_KEY_ID: 'id',
          S3_SECRET_ACCESS_KEY: 'secret',
        },
        '/srv/data',
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'lumina-objects',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
  });

  it('uses virtual-hosted addressing by default against AWS itself', () => {
    const config = storageConfigFromEnv({ S3_BUCKET: 'lumina-objects', S3_REGION: 'eu-west-1' }, '/d');
    expect(config).toMatchObject({ kind: 's3', region: 'eu-west-1', forcePathStyle: false });
  });

  it('honours an explicit S3_FORCE_PATH_STYLE', () => {
    const env = { S3_BUCKET: 'lumina-objects', S3_ENDPOINT: 'https://r2.example.com', S3_FORCE_PATH_STYLE: 'false' };
    expect(storageConfigFromEnv(env, '/d')).toMatchObject({ forcePathStyle: false });
  });

  it.each([
    [{ S3_BUCKET: 'lumina-objects', S3_ENDPOINT: 'not a url' }, /S3_ENDPOINT/],
    [{ S3_BUCKET: 'lumina-objects', S3_FORCE_PATH_STYLE: 'maybe' }, /S3_FORCE_PATH_STYLE/],
    [{ S3_BUCKET: 'ab' }, /S3_BUCKET/],
  ])('names the variable that is wrong (%j)', (env, pattern) => {
    expect(() => storageConfigFromEnv(env, '/d')).toThrow(pattern);
  });

  it('builds the store the config names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lumina-create-store-'));
    try {
      expect(createObjectStore(storageConfigFromEnv({}, dir)).kind).toBe('fs');
      expect(createObjectStore(storageConfigFromEnv({ S3_BUCKET: 'lumina-objects' }, dir)).kind).toBe('s3');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
