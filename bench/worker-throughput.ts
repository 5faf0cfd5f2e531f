// Images per second through the real gpu-worker: BullMQ on Redis, the folder store, real ISNet, PNG out.
//   node --import tsx bench/worker-throughput.ts
// For each input size (1024² PNG, 12 MP JPEG) and each batch of N jobs (BENCH_JOBS, default 1,4,16,64): the N
// jobs one at a time (each submitted when the last finished), then all N queued at once for the pipelined worker
// (WORKER_CONCURRENCY, default 4). Then the same with ISNet replaced by a constant-mask stand-in that costs almost
// nothing: that run is the pipeline's own ceiling. Last, a projection of a GPU host from the measured cpu cost.
// Needs Redis (REDIS_URL). BENCH_SIZES=1024,12mp picks sizes; BENCH_MODELS=isnet,stand-in picks the runs.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { createObjectStore } from '@lumina/runtime';
import { queueNames, RemoveBackgroundParams, type TaskJob } from '@lumina/shared';
import { Queue, QueueEvents } from 'bullmq';
import sharp from 'sharp';
import { benchThreads } from './support/bench-threads.ts';
import { constantMaskModelsDir } from './support/constant-mask-model.ts';

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map((v) => v.trim());
const jobCounts = list(process.env.BENCH_JOBS, '1,4,16,64').map(Number);
const sizes = list(process.env.BENCH_SIZES, '1024,12mp');
const models = list(process.env.BENCH_MODELS, 'isnet,stand-in');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const fixtures = join(import.meta.dirname, '../fixtures/images');
const realModelsDir = join(import.meta.dirname, '../gpu-worker/models');

const inputs: Record<string, { label: string; bytes: Buffer; pixels: number }> = {
  '1024': {
    label: '1024² PNG',
    bytes: await sharp(join(fixtures, 'fruits.jpg')).resize(1024, 1024, { fit: 'fill' }).png().toBuffer(),
    pixels: 1024 * 1024,
  },
  '12mp': {
    label: '4000×3000 JPEG',
    bytes: await sharp(join(fixtures, 'baboon.jpg'))
      .resize(4000, 3000, { fit: 'fill' })
      .jpeg({ quality: 90 })
      .toBuffer(),
    pixels: 4000 * 3000,
  },
};

interface Row {
  model: string;
  input: string;
  jobs: number;
  oneAtATime: number;
  queued: number;
  /** Cpu core-seconds per image in the queued run, and the cores it kept busy on average. */
  cpuPerImage: number;
  coresBusy: number;
}

/** One worker on a queue prefix of its own; `run` times N jobs through it, one at a time or all queued at once. */
async function startRig(modelsDir: string, concurrency: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lumina-bench-throughput-'));
  const config = loadWorkerConfig({
    ...process.env,
    REDIS_URL: redisUrl,
    LUMINA_QUEUE_PREFIX: `bench-${randomBytes(6).toString('hex')}`,
    LUMINA_DATA_DIR: dataDir,
    LUMINA_MODELS_DIR: modelsDir,
    WORKER_CONCURRENCY: String(concurrency),
    WORKER_METRICS_PORT: '0',
  });
  const store = createObjectStore(config.storage);
  const connection = { url: redisUrl };
  const queue = new Queue(queueNames.gpu, { connection, prefix: config.queuePrefix });
  const events = new QueueEvents(queueNames.gpu, { connection, prefix: config.queuePrefix });
  const worker = await startGpuWorker({ config, store, log: silentLogger });
  await Promise.all([worker.ready, events.waitUntilReady()]);

  const enqueue = async (bytes: Buffer) => {
    const taskId = `task_${randomBytes(13).toString('hex')}`;
    const job: TaskJob = {
      taskId,
      request: { operation: 'remove-background', params: RemoveBackgroundParams.parse({ format: 'png' }) },
      inputKey: `inputs/${taskId}`,
      outputKey: `results/${taskId}.png`,
    };
    await store.put(job.inputKey, bytes, 'application/octet-stream');
    return queue.add(job.request.operation, job, { jobId: taskId });
  };
  return {
    model: worker.model,
    /**
     * Wall and cpu seconds for `n` jobs: `sequential` submits each once the previous finished. The cpu time is this
     * process's (worker, its threads, and the benchmark's own submitting), user and system, from `process.cpuUsage`.
     */
    async run(bytes: Buffer, n: number, sequential: boolean): Promise<{ seconds: number; cpuSeconds: number }> {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      if (sequential) {
        for (let i = 0; i < n; i++) await (await enqueue(bytes)).waitUntilFinished(events, 600_000);
      } else {
        const jobs = [];
        for (let i = 0; i < n; i++) jobs.push(await enqueue(bytes));
        await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 1_800_000)));
      }
      const cpu = process.cpuUsage(cpuStarted);
      return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    },
    async close() {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const concurrency = loadWorkerConfig(process.env).concurrency;
console.log(`worker throughput; ${benchThreads()}; cpu ${cpus()[0]?.model ?? 'unknown'}`);
const rows: Row[] = [];
for (const which of models) {
  const modelsDir = which === 'stand-in' ? constantMaskModelsDir(realModelsDir) : realModelsDir;
  const sequentialRig = await startRig(modelsDir, 1);
  const pipelinedRig = await startRig(modelsDir, concurrency);
  for (const size of sizes) {
    const input = inputs[size];
    if (!input) throw new Error(`unknown size ${size}`);
    await pipelinedRig.run(input.bytes, 1, true); // warm-up: JIT, the first decode of its kind
    for (const n of jobCounts) {
      const oneAtATime = n / (await sequentialRig.run(input.bytes, n, true)).seconds;
      const { seconds, cpuSeconds } = await pipelinedRig.run(input.bytes, n, false);
      const row = {
        model: pipelinedRig.model,
        input: input.label,
        jobs: n,
        oneAtATime,
        queued: n / seconds,
        cpuPerImage: cpuSeconds / n,
        coresBusy: cpuSeconds / seconds,
      };
      rows.push(row);
      console.error(
        `  ${row.model} ${row.input} ×${n}: ${oneAtATime.toFixed(2)} → ${row.queued.toFixed(2)} img/s, ${(1000 * row.cpuPerImage).toFixed(0)} cpu ms an image, ${row.coresBusy.toFixed(2)} cores busy`,
      );
    }
  }
  await sequentialRig.close();
  await pipelinedRig.close();
  if (which === 'stand-in') rmSync(modelsDir, { recursive: true, force: true });
}

console.log('');
console.log(
  `| model | input | jobs | one at a time, img/s | queued (WORKER_CONCURRENCY ${concurrency}), img/s | speed-up | queued: cpu ms an image | queued: cores busy |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.model} | ${r.input} | ${r.jobs} | ${r.oneAtATime.toFixed(2)} | ${r.queued.toFixed(2)} | ${(r.queued / r.oneAtATime).toFixed(2)}× | ${(1000 * r.cpuPerImage).toFixed(0)} | ${r.coresBusy.toFixed(2)} |`,
  );
}

// The projection: the stand-in's queued runs say how many cpu core-seconds the worker spends per image outside the
// model (measured with process.cpuUsage, the fewest of its runs with 16 or more jobs, so start-up is amortised); a
// GPU host's cores can feed the GPU at most `host cores / that` images per second.
const cores = availableParallelism();
const h200 = [
  { label: 'H200, ISNet fp16 batch 1 (6.4 ms)', perImageMs: 6.4 },
  { label: 'H200, batch 1 as a CUDA graph (3.9 ms)', perImageMs: 3.9 },
  { label: 'H200, batch 8 (2.4 ms an image)', perImageMs: 2.4 },
];
const cpuCost = (label: string) => {
  const runs = rows.filter((r) => r.model === 'constant-mask' && r.input === label);
  const amortised = runs.filter((r) => r.jobs >= 16);
  return Math.min(Number.POSITIVE_INFINITY, ...(amortised.length > 0 ? amortised : runs).map((r) => r.cpuPerImage));
};
console.log('');
console.log(`GPU host projection from this run's pipeline cpu cost (${cores} cores measured here):`);
console.log('');
console.log(
  '| input | cpu core-s per image (measured) | 16-core host, cpu-bound img/s | GPU | GPU-bound img/s | bound by | host img/s |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const size of sizes) {
  const input = inputs[size];
  const coreSeconds = input ? cpuCost(input.label) : Number.POSITIVE_INFINITY;
  if (!input || !Number.isFinite(coreSeconds)) continue;
  const cpuBound = 16 / coreSeconds;
  for (const gpu of h200) {
    const gpuBound = 1000 / gpu.perImageMs;
    const bound = cpuBound < gpuBound ? 'cpu' : 'GPU';
    console.log(
      `| ${input.label} | ${coreSeconds.toFixed(3)} | ${cpuBound.toFixed(0)} | ${gpu.label} | ${gpuBound.toFixed(0)} | ${bound} | ${Math.min(cpuBound, gpuBound).toFixed(0)} |`,
    );
  }
}
process.exit(0);
