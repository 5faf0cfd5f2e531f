import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../src/index.ts';

describe('loadWorkerConfig', () => {
  it('runs with no configuration at all', () => {
    const config = loadWorkerConfig({}, { cores: 2 });
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'lumina',
      concurrency: 4,
      cores: 2,
      threads: { intraOpThreads: 2, sharpConcurrency: 1, source: { intraOpThreads: 'auto' } },
      maxPixelsInFlight: 64_000_000,
      inference: { maxBatch: 1, batchWaitMs: 0, upscaleTilePx: 192 },
      executionProvider: 'cpu',
      allowCpuFallback: false,
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
      SHARP_CONCURRENCY: '3',
      WORKER_MAX_PIXELS_IN_FLIGHT: '1000000',
      INFERENCE_MAX_BATCH: '16',
      INFERENCE_BATCH_WAIT_MS: '5',
      UPSCALE_TILE_PX: '256',
      LUMINA_EXECUTION_PROVIDER: 'cuda',
      LUMINA_ALLOW_CPU_FALLBACK: 'true',
      LUMINA_MODELS_DIR: '/srv/models',
      WORKER_LOCK_DURATION_MS: '5000',
      WORKER_STALLED_INTERVAL_MS: '2000',
      LUMINA_DATA_DIR: '/srv/lumina',
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://redis.internal:6380/2',
      queuePrefix: 'staging',
      concurrency: 2,
      threads: {
        intraOpThreads: 4,
        sharpConcurrency: 3,
        source: { intraOpThreads: 'ORT_INTRA_OP_THREADS', sharpConcurrency: 'SHARP_CONCURRENCY' },
      },
      maxPixelsInFlight: 1_000_000,
      inference: { maxBatch: 16, batchWaitMs: 5, upscaleTilePx: 256 },
      executionProvider: 'cuda',
      allowCpuFallback: true,
      modelsDir: '/srv/models',
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
      storage: { kind: 'fs', dir: '/srv/lumina/objects' },
    });
  });

  it('gives the model every core on cpu and splits libvips across the jobs in flight', () => {
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '4' }, { cores: 16 }).threads).toMatchObject({
      intraOpThreads: 16,
      sharpConcurrency: 4,
    });
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '1' }, { cores: 2 }).threads).toMatchObject({
      intraOpThreads: 2,
      sharpConcurrency: 2,
    });
  });

  it('on cuda leaves the cores to libvips and batches by default', () => {
    const config = loadWorkerConfig({ LUMINA_EXECUTION_PROVIDER: 'cuda', WORKER_CONCURRENCY: '16' }, { cores: 16 });
    expect(config.threads).toMatchObject({ intraOpThreads: 2, sharpConcurrency: 1 });
    expect(config.inference).toEqual({ maxBatch: 8, batchWaitMs: 2, upscaleTilePx: 512 });
  });

  it.each([
    ['WORKER_CONCURRENCY', '0'],
    ['LUMINA_ALLOW_CPU_FALLBACK', 'maybe'],
    ['INFERENCE_MAX_BATCH', '-1'],
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
    expect(config).toMatchObject({ concurrency: 4, executionProvider: 'cpu', storage: { kind: 'fs' } });
  });
});
