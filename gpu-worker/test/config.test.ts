import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../src/index.ts';

describe('loadWorkerConfig', () => {
  it('runs with no configuration at all', () => {
    const config = loadWorkerConfig({});
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'lumina',
      concurrency: 1,
      intraOpThreads: 0,
      executionProvider: 'cpu',
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      storage: { kind: 'fs', dir: `${resolve('data')}/objects` },
    });
    expect(config.modelsDir).toBe(resolve(import.meta.dirname, '../models'));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every setting from its variable', () => {
    const config = loadWorkerConfig({
      REDIS_URL: 'redis://redis.internal:6380/2',
      LUMINA_QUEUE_PREFIX: 'staging',
      WORKER_CONCURRENCY: '2',
      ORT_INTRA_OP_THREADS: '4',
      LUMINA_EXECUTION_PROVIDER: 'cuda',
      LUMINA_MODELS_DIR: '/srv/models',
      WORKER_LOCK_DURATION_MS: '5000',
      WORKER_STALLED_INTERVAL_MS: '2000',
      LUMINA_DATA_DIR: '/srv/lumina',
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://redis.internal:6380/2',
      queuePrefix: 'staging',
      concurrency: 2,
      intraOpThreads: 4,
      executionProvider: 'cuda',
      modelsDir: '/srv/models',
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
      storage: { kind: 'fs', dir: '/srv/lumina/objects' },
    });
  });

  it.each([
    ['WORKER_CONCURRENCY', '0'],
    ['WORKER_CONCURRENCY', 'two'],
    ['ORT_INTRA_OP_THREADS', '-1'],
    ['LUMINA_EXECUTION_PROVIDER', 'tpu'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['WORKER_LOCK_DURATION_MS', '1.5'],
    ['LUMINA_QUEUE_PREFIX', 'has spaces'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadWorkerConfig({ [name]: value })).toThrow(name);
  });

  it('refuses bad object storage settings with the variable named', () => {
    expect(() => loadWorkerConfig({ S3_BUCKET: 'ab' })).toThrow('S3_BUCKET');
  });
});

describe('empty variables', () => {
  it('are unset, as in the API and the edit worker: the default applies', () => {
    const config = loadWorkerConfig({ WORKER_CONCURRENCY: '', LUMINA_EXECUTION_PROVIDER: ' ', S3_BUCKET: '' });
    expect(config).toMatchObject({ concurrency: 1, executionProvider: 'cpu', storage: { kind: 'fs' } });
  });
});
