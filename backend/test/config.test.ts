import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { loadEditWorkerConfig } from '../src/edit/edit-worker-config.ts';

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

  it('turns Google sign-in on only with both OAuth values, naming the missing one', () => {
    expect(loadConfig({}).google).toBeUndefined();
    expect(loadConfig({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 's' }).google).toEqual(
      { clientId: 'id.apps.googleusercontent.com', clientSecret: 's' },
    );
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'id' })).toThrow(ConfigError);
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'id' })).toThrow(/GOOGLE_CLIENT_SECRET/);
    expect(() => loadConfig({ GOOGLE_CLIENT_SECRET: 's' })).toThrow(/GOOGLE_CLIENT_ID/);
    // An empty variable is unset, as everywhere else.
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: '' })).toThrow(/GOOGLE_CLIENT_SECRET/);
  });

  it('sends mail only with an smtp:// or smtps:// SMTP_URL and a MAIL_FROM', () => {
    expect(loadConfig({}).mail).toBeUndefined();
    expect(loadConfig({ MAIL_FROM: 'Lumina <a@b.c>' }).mail).toBeUndefined();
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com:465', MAIL_FROM: 'Lumina <a@b.c>' }).mail).toEqual({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      from: 'Lumina <a@b.c>',
    });
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com:587' })).toThrow(/MAIL_FROM/);
    expect(() => loadConfig({ SMTP_URL: 'https://mail.example.com', MAIL_FROM: 'a@b.c' })).toThrow(/SMTP_URL/);
  });

  it('switches storage to S3 when a bucket is configured', () => {
    const config = loadConfig({ S3_BUCKET: 'lumina-results', S3_ENDPOINT: 'http://127.0.0.1:4568' });
    expect(config.storage).toMatchObject({ kind: 's3', bucket: 'lumina-results', forcePathStyle: true });
  });
});

describe('one rule for empty variables', () => {
  it('treats an empty or blank variable as unset, so its default applies, in the API and the edit worker alike', () => {
    const api = loadConfig({ PORT: '', LOG_REQUESTS: ' ', S3_BUCKET: '', REDIS_URL: '' });
    expect(api).toMatchObject({ port: 8787, logRequests: true, storage: { kind: 'fs' } });
    expect(api.redisUrl).toBe('redis://127.0.0.1:6379');
    const edit = loadEditWorkerConfig({ GEMINI_API_KEY: 'key', EDIT_CONCURRENCY: '', S3_BUCKET: '' });
    expect(edit.gemini.concurrency).toBe(4);
    expect(edit.storage.kind).toBe('fs');
  });
});

describe('loadEditWorkerConfig', () => {
  it('needs only the queue, the object store and Gemini, none of the API settings', () => {
    const config = loadEditWorkerConfig({
      GEMINI_API_KEY: 'key',
      LUMINA_QUEUE_PREFIX: 'staging',
      EDIT_METRICS_PORT: '0',
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'staging',
      storage: { kind: 'fs' },
      gemini: { apiKey: 'key', model: 'gemini-2.5-flash-image', editsPerMinute: 60, concurrency: 4 },
      metrics: { port: 0, host: '127.0.0.1' },
    });
    expect(Object.isFrozen(config)).toBe(true);
    // A setting the API would refuse is none of the edit worker's business.
    expect(() => loadEditWorkerConfig({ GEMINI_API_KEY: 'key', STRIPE_SECRET_KEY: 'sk_only_one' })).not.toThrow();
  });

  it('refuses to start without GEMINI_API_KEY, naming it', () => {
    expect(() => loadEditWorkerConfig({})).toThrow(ConfigError);
    expect(() => loadEditWorkerConfig({ GEMINI_API_KEY: '' })).toThrow(/GEMINI_API_KEY/);
    expect(() => loadEditWorkerConfig({ GEMINI_API_KEY: 'key', EDIT_CONCURRENCY: '0' })).toThrow(/EDIT_CONCURRENCY/);
  });
});
