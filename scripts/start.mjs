#!/usr/bin/env node
// `npm start`: the whole stack on embedded defaults. Makes sure Redis answers (starting a local redis-server
// when one is installed), then runs the API, the gpu-worker and, when GEMINI_API_KEY is set, the edit worker
// side by side and stops them together.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const dataDir = resolve(root, process.env.LUMINA_DATA_DIR ?? 'data');
const env = { ...process.env, LUMINA_DATA_DIR: dataDir };
const children = [];

const redisAnswers = () =>
  new Promise((done) => {
    const socket = connect({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      done(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH'));
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });

async function ensureRedis() {
  if (await redisAnswers()) return;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(redisUrl.hostname);
  const installed = spawnSync('redis-server', ['--version']).status === 0;
  if (!local || !installed) {
    console.error(
      `lumina: Redis does not answer at ${redisUrl.host}. Start one (e.g. install the redis-server package), or set REDIS_URL.`,
    );
    process.exit(1);
  }
  mkdirSync(dataDir, { recursive: true });
  console.log(`lumina: starting a local redis-server on port ${redisUrl.port || 6379}`);
  const redis = spawn(
    'redis-server',
    ['--port', redisUrl.port || '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
    { stdio: 'ignore', detached: true },
  );
  children.push(redis);
  for (let i = 0; i < 50 && !(await redisAnswers()); i += 1) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers())) {
    console.error('lumina: redis-server did not come up');
    process.exit(1);
  }
}

function run(name, entry) {
  // Each child gets a process group of its own, so a Ctrl-C in the terminal reaches only this launcher, which
  // forwards exactly one SIGTERM: a second signal would tell the worker to drop its active job.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env,
    stdio: 'inherit',
    detached: true,
  });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`lumina: ${name} exited (${signal ?? code}); stopping the rest`);
    stop(code ?? 1);
  });
  children.push(child);
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 10_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// The plugins are loaded into Figma and Express from their builds (esbuild, a second or two): build them against
// this API so they can be imported right away.
for (const plugin of ['figma', 'adobe-express']) {
  const built = spawnSync(process.execPath, [`plugins/${plugin}/scripts/build.mjs`], {
    cwd: root,
    // The plugins call PUBLIC_BASE_URL when it is set, else the default local API.
    env: { LUMINA_API_ORIGIN: process.env.PUBLIC_BASE_URL, ...env },
    stdio: 'inherit',
  });
  if (built.status !== 0) console.error(`lumina: the ${plugin} plugin did not build; the API starts anyway`);
}
await ensureRedis();
run('api', 'backend/src/main.ts');
run('gpu-worker', 'gpu-worker/src/main.ts');
if (process.env.GEMINI_API_KEY) run('edit-worker', 'backend/src/edit-worker-main.ts');
else console.log('lumina: magic edit is off (set GEMINI_API_KEY to turn it on)');
