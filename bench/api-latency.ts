// API latency under a loopback load, next to a bare Hono route served the same way in the same run.
//   node --import tsx bench/api-latency.ts        (uses TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
// Prints p50/p99 latency and requests per second for each route, and the ratio to the bare route.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createLogger } from '@lumina/runtime';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import pg from 'pg';
import { composeBackend } from '../backend/src/compose.ts';
import { loadConfig } from '../backend/src/config.ts';
import { openDatabase } from '../backend/src/db/database.ts';
import { createTeam } from '../backend/src/services/teams/create-team.ts';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const listen = async (fetch: (request: Request) => Response | Promise<Response>) => {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

// A database of its own, dropped at the end.
const dbName = `lumina_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database "${dbName}"`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const dataDir = mkdtempSync(join(tmpdir(), 'lumina-bench-'));
const migrator = await openDatabase({ url: dbUrl.toString(), dataDir });
await migrator.migrate();
await migrator.close();

const config = loadConfig({
  DATABASE_URL: dbUrl.toString(),
  LUMINA_DATA_DIR: dataDir,
  LUMINA_QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
  LOG_REQUESTS: 'false',
  RECONCILE_INTERVAL_MS: '0',
  // One key fires thousands of requests: a budget it never reaches keeps the limiter's own cost in the figures.
  RATE_LIMIT_API_UNITS_PER_MINUTE: '1000000000',
});
const backend = await composeBackend(config, { log: createLogger('bench', { silent: true }) });
await backend.startBackground();
const team = await createTeam({ ctx: backend.ctx, input: { name: 'bench', credits: 10_000_000 } });
const auth = { authorization: `Bearer ${team.apiKey}` };

const bare = new Hono().get('/bare', (c) => c.json({ status: 'ok' }, 200));
const bareServer = await listen(bare.fetch);
const lumina = await listen(backend.app.fetch);

// One real task to read back.
const photo = readFileSync(join(import.meta.dirname, '../fixtures/images/horse.png'));
const form = new FormData();
form.set('image', new File([photo], 'horse.png'));
form.set('operation', 'remove-background');
const multipart = new Response(form);
const multipartType = multipart.headers.get('content-type') ?? '';
const multipartBody = Buffer.from(await multipart.arrayBuffer());
const first = await fetch(`${lumina.url}/api/v1/process`, {
  method: 'POST',
  headers: { ...auth, 'content-type': multipartType },
  body: multipartBody,
});
const { taskId } = (await first.json()) as { taskId: string };

interface Row {
  name: string;
  mean: number;
  p50: number;
  p99: number;
  rps: number;
  non2xx: number;
}
const run = async (name: string, options: autocannon.Options): Promise<Row> => {
  const result = await autocannon({ connections, duration: durationSeconds, ...options });
  return {
    name,
    mean: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    non2xx: result.non2xx,
  };
};

const rows: Row[] = [];
rows.push(await run('bare Hono GET /bare', { url: `${bareServer.url}/bare` }));
rows.push(await run('GET /api/v1/tasks/:id', { url: `${lumina.url}/api/v1/tasks/${taskId}`, headers: auth }));
rows.push(
  await run('POST /api/v1/process (horse.png, 16 KB)', {
    url: `${lumina.url}/api/v1/process`,
    method: 'POST',
    headers: { ...auth, 'content-type': multipartType },
    body: multipartBody,
  }),
);

const base = rows[0];
console.log(`\n${connections} connections, ${durationSeconds} s each, loopback, Node ${process.version}`);
console.log(
  'route'.padEnd(42),
  'mean ms'.padStart(8),
  'p50 ms'.padStart(8),
  'p99 ms'.padStart(8),
  'req/s'.padStart(9),
  'mean × bare'.padStart(12),
  'non-2xx'.padStart(8),
);
for (const row of rows) {
  console.log(
    row.name.padEnd(42),
    row.mean.toFixed(2).padStart(8),
    row.p50.toFixed(1).padStart(8),
    row.p99.toFixed(1).padStart(8),
    row.rps.toFixed(0).padStart(9),
    base ? (row.mean / base.mean).toFixed(1).padStart(12) : '',
    String(row.non2xx).padStart(8),
  );
}

// Clean up: queued jobs, the database, the data dir.
const { Queue } = await import('bullmq');
const { queueNames } = await import('@lumina/shared');
const queue = new Queue(queueNames.gpu, { connection: { host: '127.0.0.1', port: 6379 }, prefix: config.queuePrefix });
await queue.obliterate({ force: true });
await queue.close();
bareServer.server.close();
lumina.server.close();
await backend.close();
await admin.query(`drop database if exists "${dbName}" with (force)`);
await admin.end();
rmSync(dataDir, { recursive: true, force: true });
