import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('runs on embedded defaults with no configuration at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8787,
      databaseUrl: undefined,
      redisUrl: 'redis://127.0.0.1:6379',
      storage: { kind: 'fs' },
      limits: { maxUploadBytes: 25 * 1024 * 1024 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ LUMINA_SIGNING_SECRET: 'short' })).toThrow(/LUMINA_SIGNING_SECRET/);
  });

  it('switches storage to S3 when a bucket is configured', () => {
    const config = loadConfig({ S3_BUCKET: 'lumina-results', S3_ENDPOINT: 'http://127.0.0.1:4568' });
    expect(config.storage).toMatchObject({ kind: 's3', bucket: 'lumina-results', forcePathStyle: true });
  });
});
