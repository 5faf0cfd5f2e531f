// Where the gpu-worker's time goes, per pipeline stage, on the real model: `node --import tsx bench/worker-stages.ts`.
// BENCH_RUNS (default 5) timed runs per input after one warm-up run; ORT_INTRA_OP_THREADS and SHARP_CONCURRENCY as for
// the worker (the threads it would choose here are printed), next to the raw floor: plain onnxruntime-node on the same
// file with every core, in the same run.
// The goal is total / inference ≤ 1.15 at 1024²: everything but the model should be noise next to it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  loadModelRegistry,
  loadModelSession,
  type ModelSession,
  modelFor,
  removeBackground,
  silentLogger,
} from '@lumina/gpu-worker';
import { RemoveBackgroundParams, type ResultFormat, type StageTimings } from '@lumina/shared';
import sharp from 'sharp';
import { webpOptions } from '../gpu-worker/src/pipeline/encode-image.ts';
import { encodePng } from '../gpu-worker/src/pipeline/encode-png.ts';
import { benchIntraOpThreads, benchThreads } from './support/bench-threads.ts';
import { benchExecutionProvider } from './support/execution-provider.ts';
import { printShippedFloor, rawOnnxFloor } from './support/raw-onnx-floor.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const threads = benchThreads();
const intraOpThreads = benchIntraOpThreads();
const fixtures = join(import.meta.dirname, '../fixtures/images');
const modelsDir = join(import.meta.dirname, '../gpu-worker/models');

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Synthetic inputs are made from real photos, in memory: a camera-sized JPEG and a Figma-style 1024² PNG. */
async function inputs(): Promise<Array<{ name: string; bytes: Buffer }>> {
  const chelsea = await readFile(join(fixtures, 'chelsea.png'));
  const square = await sharp(join(fixtures, 'fruits.jpg')).resize(1024, 1024, { fit: 'fill' }).png().toBuffer();
  const camera = await sharp(join(fixtures, 'baboon.jpg'))
    .resize(4000, 3000, { fit: 'fill' })
    .jpeg({ quality: 90 })
    .toBuffer();
  return [
    { name: 'chelsea.png 451×300', bytes: chelsea },
    { name: 'fruits 1024×1024 png', bytes: square },
    { name: 'baboon 4000×3000 jpeg', bytes: camera },
  ];
}

const stages = ['decodeMs', 'preprocessMs', 'inferenceMs', 'postprocessMs', 'encodeMs', 'totalMs'] as const;

async function benchInput(session: ModelSession, name: string, bytes: Buffer, format: ResultFormat) {
  await removeBackground({ session, bytes, params: RemoveBackgroundParams.parse({ format }) }); // warm-up: JIT, caches
  const timings: StageTimings[] = [];
  for (let i = 0; i < runs; i++)
    timings.push(
      (await removeBackground({ session, bytes, params: RemoveBackgroundParams.parse({ format }) })).timings,
    );
  const row: Record<string, string> = { input: name, format };
  for (const stage of stages) row[stage.replace('Ms', '')] = median(timings.map((t) => t[stage])).toFixed(0);
  const ratios = timings.map((t) => t.totalMs / t.inferenceMs);
  row['total/inference'] = median(ratios).toFixed(3);
  row['inference/raw floor'] = (median(timings.map((t) => t.inferenceMs)) / floor.ms).toFixed(2);
  return row;
}

/**
 * Encoder settings on real results (RGBA with a real mask), to choose the worker's defaults from measurements.
 * `(worker)` marks what the worker uses (gpu-worker/src/pipeline/encode-image.ts: its own PNG writer, Average
 * filter, each part deflated run-length or Huffman-only as its bytes suggest; WebP lossless at effort 0); the
 * sharp rows are libvips' PNG encoder, the worker's before, level 3 adaptive.
 */
async function benchEncoders(session: ModelSession, name: string, bytes: Buffer) {
  const { bytes: png } = await removeBackground({
    session,
    bytes,
    params: RemoveBackgroundParams.parse({ format: 'png' }),
  });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const image = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const raster = { pixels: data, width: info.width, height: info.height, channels: info.channels as 4 };
  const candidates: Array<[string, () => Promise<Buffer>]> = [
    ['png average filter, strategy per part (worker)', () => encodePng(raster, { threads: sharp.concurrency() })],
    ['png sharp level 6 (sharp default)', () => image().png().toBuffer()],
    ['png sharp level 1 adaptive', () => image().png({ compressionLevel: 1, adaptiveFiltering: true }).toBuffer()],
    ['png sharp level 3 adaptive', () => image().png({ compressionLevel: 3, adaptiveFiltering: true }).toBuffer()],
    ['png sharp level 6 adaptive', () => image().png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer()],
    ['webp lossless effort 0 (worker)', () => image().webp(webpOptions).toBuffer()],
    ['webp lossless effort 4', () => image().webp({ lossless: true }).toBuffer()],
    ['webp q90 alphaQuality 100', () => image().webp({ quality: 90, alphaQuality: 100 }).toBuffer()],
  ];
  const rows = [];
  for (const [encoder, encode] of candidates) {
    const ms: number[] = [];
    let size = 0;
    // Large WebP encodes take seconds each; three runs are enough to see the differences.
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const started = performance.now();
      size = (await encode()).length;
      ms.push(performance.now() - started);
    }
    rows.push({ input: name, encoder, ms: median(ms).toFixed(0), MB: (size / 1e6).toFixed(2) });
  }
  return rows;
}

const registry = await loadModelRegistry(modelsDir);
const session = await loadModelSession({
  registry,
  model: modelFor(registry, 'remove-background', benchExecutionProvider),
  executionProvider: benchExecutionProvider,
  intraOpThreads,
  log: silentLogger,
});
const images = await inputs();
console.log(`model ${session.model.id} on ${session.executionProvider}; median of ${runs} runs, in ms; ${threads}`);
const floor = await rawOnnxFloor(join(modelsDir, session.model.file), [1, 3, 1024, 1024], runs);
console.log(
  `raw floor: plain onnxruntime-node, ${floor.threads} intra-op threads, same file: ${floor.ms.toFixed(0)} ms per 1024² inference`,
);
await printShippedFloor(registry, session.model, floor, [1, 3, 1024, 1024], runs);
const rows = [];
for (const { name, bytes } of images) rows.push(await benchInput(session, name, bytes, 'png'));
rows.push(await benchInput(session, images[2]!.name, images[2]!.bytes, 'webp'));
console.table(rows);
console.log('encoder settings on the RGBA results');
console.table([
  ...(await benchEncoders(session, images[1]!.name, images[1]!.bytes)),
  ...(await benchEncoders(session, images[2]!.name, images[2]!.bytes)),
]);
