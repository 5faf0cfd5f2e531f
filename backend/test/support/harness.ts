import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WorkerHeartbeat, workerHeartbeatKey } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import './provided-context.ts';
import { createLogger } from '@lumina/runtime';
import { type Backend, composeBackend } from '../../src/compose.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { creditLedger, tasks, teams } from '../../src/db/schema.ts';
import { createTeam } from '../../src/services/teams/create-team.ts';

export { fixture } from './fixtures.ts';

export interface TestBackend {
  readonly backend: Backend;
  readonly config: Config;
  readonly env: Record<string, string>;
  request(path: string, init?: RequestInit): Promise<Response>;
  newTeam(credits: number): Promise<{ teamId: string; apiKey: string; auth: { authorization: string } }>;
  team(teamId: string): Promise<{ balance: number; reserved: number }>;
  ledger(teamId: string): Promise<Array<typeof creditLedger.$inferSelect>>;
  taskRow(taskId: string): Promise<typeof tasks.$inferSelect | undefined>;
  /**
   * Publishes a gpu-worker heartbeat under this backend's prefix, as a running worker does, so capabilities list
   * remove-background and upscale as available while tasks still wait in the queue (no model runs). Returns its id.
   */
  announceGpuWorker(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real backend graph on the real services: the run's own PostgreSQL database, Redis with a queue prefix
 * of its own, and a temporary data dir for object storage. Each call is isolated from every other test.
 */
export async function startTestBackend(
  overrides: Record<string, string> = {},
  options: { background?: boolean; ownDatabase?: boolean } = {},
): Promise<TestBackend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lumina-test-'));
  const ownDatabase = options.ownDatabase ? await createScratchDatabase() : undefined;
  const env: Record<string, string> = {
    DATABASE_URL: ownDatabase?.url ?? inject('databaseUrl'),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    LUMINA_DATA_DIR: dataDir,
    LUMINA_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    LUMINA_SIGNING_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_BASE_URL: 'http://lumina.test',
    // PUBLIC_BASE_URL is not loopback, so /metrics must ask for a token.
    METRICS_TOKEN: randomBytes(16).toString('hex'),
    LOG_REQUESTS: 'false',
    // The reconciler looks at every open task in its database; only tests with a database of their own run it.
    RECONCILE_INTERVAL_MS: '0',
    // Likewise the retention job: a test runs it itself, on a database of its own.
    RETENTION_INTERVAL_MS: '0',
    ...overrides,
  };
  const config = loadConfig(env);
  const backend = await composeBackend(config, { log: createLogger('test', { silent: true }) });
  if (options.background !== false) await backend.startBackground();
  const db = backend.ctx.db;
  return {
    backend,
    config,
    env,
    request: async (path, init) => backend.app.request(path, init),
    async newTeam(credits) {
      const team = await createTeam({
        ctx: backend.ctx,
        input: { name: `team ${randomBytes(3).toString('hex')}`, credits },
      });
      return { ...team, auth: { authorization: `Bearer ${team.apiKey}` } };
    },
    async team(teamId) {
      const [row] = await db.select().from(teams).where(eq(teams.id, teamId));
      if (!row) throw new Error(`no team ${teamId}`);
      return { balance: row.balance, reserved: row.reserved };
    },
    ledger: (teamId) => db.select().from(creditLedger).where(eq(creditLedger.teamId, teamId)).orderBy(creditLedger.id),
    async taskRow(taskId) {
      const [row] = await db.select().from(tasks).where(eq(tasks.id, taskId));
      return row;
    },
    async announceGpuWorker() {
      const heartbeat: WorkerHeartbeat = {
        workerId: `wrk_test${randomBytes(6).toString('hex')}`,
        model: 'isnet-medium',
        executionProvider: 'cpu',
        concurrency: 1,
        hostname: 'test',
        startedAt: new Date().toISOString(),
      };
      const redis = new Redis(env.REDIS_URL ?? '');
      try {
        await redis.set(
          workerHeartbeatKey(config.queuePrefix, heartbeat.workerId),
          JSON.stringify(heartbeat),
          'EX',
          3600,
        );
      } finally {
        redis.disconnect();
      }
      return heartbeat.workerId;
    },
    async close() {
      await backend.close();
      await ownDatabase?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A multipart body for `POST /api/v1/process`. */
export function processForm(image: Uint8Array, fields: Record<string, string> = {}, filename = 'image.png'): FormData {
  const form = new FormData();
  form.set('image', new File([image], filename));
  form.set('operation', fields.operation ?? 'remove-background');
  for (const [name, value] of Object.entries(fields)) if (name !== 'operation') form.set(name, value);
  return form;
}

/** Polls `check` until it returns a value, at most `timeoutMs`; a bounded wait, never a fixed sleep. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * A database of the test's own, for tests of process-wide behaviour (the reconciler looks at every open task
 * in its database, so it must not see other test files' tasks).
 */
async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const shared = new URL(inject('databaseUrl'));
  const name = `${shared.pathname.slice(1)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: shared.toString() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: tmpdir() });
  await database.migrate();
  await database.close();
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
