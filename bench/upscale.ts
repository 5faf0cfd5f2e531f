// Where the upscale pipeline's time goes, per stage, on the real models: `node --import tsx bench/upscale.ts`.
// BENCH_SIZES (default 128,512,1024) square inputs cut from a real photo, BENCH_SCALES (2,4), BENCH_MODELS
// (slim,thick), BENCH_RUNS (3) timed runs each after one warm-up run; UPSCALE_TILE_PX and UPSCALE_OVERLAP_PX
// override the pipeline's defaults; ORT_INTRA_OP_THREADS as for the worker. BENCH_PEAK=2048 then runs one
// slim ×4 upscale of a 2048² input and prints the process's peak RSS (run it alone: peak RSS never goes down).
import { join } from 'node:path';
import { silentLogger } from '@lumina/runtime';
import type { StageTimings, UpscaleModel } from '@lumina/shared';
import sharp from 'sharp';
import { loadUpscaleSession } from '../gpu-worker/src/inference/load-upscale-session.ts';
import { loadModelRegistry } from '../gpu-worker/src/models/registry.ts';
import { chooseUpscaleModel } from '../gpu-worker/src/pipeline/choose-upscale-model.ts';
import { defaultOverlapPx, defaultTileSizePx, upscaleImage } from '../gpu-worker/src/pipeline/upscale-image.ts';
import { benchBatching, benchIntraOpThreads, benchThreads } from './support/bench-threads.ts';
import { benchExecutionProvider } from './support/execution-provider.ts';

const list = (value: string | undefined, fallback: string): string[] => (value ?? fallback).split(',');
const sizes = list(process.env.BENCH_SIZES, '128,512,1024').map(Number);
const scales = list(process.env.BENCH_SCALES, '2,4').map(Number);
const models = list(process.env.BENCH_MODELS, 'slim,thick') as UpscaleModel[];
const runs = Number(process.env.BENCH_RUNS ?? 3);
const peakSizePx = process.env.BENCH_PEAK ? Number(process.env.BENCH_PEAK) : undefined;
const tileSizePx = Number(process.env.UPSCALE_TILE_PX ?? defaultTileSizePx);
const overlapPx = Number(process.env.UPSCALE_OVERLAP_PX ?? defaultOverlapPx);
console.log(benchThreads());
const intraOpThreads = benchIntraOpThreads();
const fixtures = join(import.meta.dirname, '../fixtures/images');
const registry = await loadModelRegistry(join(import.meta.dirname, '../gpu-worker/models'));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** A PNG of `sizePx`² from a real photo: a crop where the photo is large enough, a resize beyond. */
const squareInput = (sizePx: number): Promise<Buffer> =>
  sharp(join(fixtures, 'baboon.jpg')).resize(sizePx, sizePx, { fit: 'cover' }).png().toBuffer();

const sessionFor = (scale: number, model: UpscaleModel) =>
  loadUpscaleSession({
    registry,
    model: chooseUpscaleModel(registry, { scale, model }),
    executionProvider: benchExecutionProvider,
    intraOpThreads,
    ...benchBatching(),
    log: silentLogger,
  });

const stages = ['decodeMs', 'preprocessMs', 'inferenceMs', 'postprocessMs', 'encodeMs', 'totalMs'] as const;

if (peakSizePx !== undefined) {
  const session = await sessionFor(4, 'slim');
  const bytes = await squareInput(peakSizePx);
  const before = process.resourceUsage().maxRSS;
  const { timings, info } = await upscaleImage({ session, bytes, scale: 4, format: 'png', tileSizePx, overlapPx });
  console.log(`slim ×4 ${peakSizePx}² → ${info.width}² (${(info.bytes / 1e6).toFixed(1)} MB png)`);
  console.log(Object.fromEntries(stages.map((stage) => [stage, Math.round(timings[stage])])));
  console.log(
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (${(before / 1024).toFixed(0)} MiB before the run)`,
  );
} else {
  console.log(`tiles of ${tileSizePx} px overlapping by ${overlapPx} px, ${runs} runs, medians in ms`);
  const rows: Array<Record<string, string>> = [];
  for (const model of models) {
    for (const scale of scales) {
      const session = await sessionFor(scale, model);
      for (const sizePx of sizes) {
        const bytes = await squareInput(sizePx);
        const run = () => upscaleImage({ session, bytes, scale, format: 'png', tileSizePx, overlapPx });
        await run(); // warm-up: JIT, caches, onnxruntime's first run at this tile shape
        const timings: StageTimings[] = [];
        for (let i = 0; i < runs; i++) timings.push((await run()).timings);
        const row: Record<string, string> = { model, scale: `×${scale}`, input: `${sizePx}²` };
        for (const stage of stages) row[stage.replace('Ms', '')] = median(timings.map((t) => t[stage])).toFixed(0);
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
  console.table(rows);
}
