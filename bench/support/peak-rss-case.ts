// One case of bench/peak-rss.ts, alone in its own process (peak RSS never goes down, so cases cannot share one):
//   node --import tsx bench/support/peak-rss-case.ts remove-background|upscale-x4 <input file>
// Loads the model as the worker does, runs the pipeline once on the file's bytes, and prints one JSON line with
// process.resourceUsage().maxRSS (KiB) before and after the run.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  chooseUpscaleModel,
  loadModelRegistry,
  loadModelSession,
  loadUpscaleSession,
  modelFor,
  removeBackground,
  silentLogger,
  upscaleImage,
} from '@lumina/gpu-worker';
import { RemoveBackgroundParams } from '@lumina/shared';
import { benchIntraOpThreads } from './bench-threads.ts';
import { benchExecutionProvider } from './execution-provider.ts';

const [caseName, inputPath] = process.argv.slice(2);
if (inputPath === undefined) throw new Error('usage: peak-rss-case.ts remove-background|upscale-x4 <input file>');
const intraOpThreads = benchIntraOpThreads();
const registry = await loadModelRegistry(join(import.meta.dirname, '../../gpu-worker/models'));

async function prepare(): Promise<(bytes: Uint8Array) => Promise<{ width: number; height: number }>> {
  if (caseName === 'remove-background') {
    const session = await loadModelSession({
      registry,
      model: modelFor(registry, 'remove-background', benchExecutionProvider),
      executionProvider: benchExecutionProvider,
      intraOpThreads,
      log: silentLogger,
    });
    return async (bytes) => (await removeBackground({ session, bytes, params: RemoveBackgroundParams.parse({}) })).info;
  }
  if (caseName === 'upscale-x4') {
    const session = await loadUpscaleSession({
      registry,
      model: chooseUpscaleModel(registry, { scale: 4, model: 'slim' }),
      executionProvider: benchExecutionProvider,
      intraOpThreads,
      log: silentLogger,
    });
    return async (bytes) => (await upscaleImage({ session, bytes, scale: 4, format: 'png' })).info;
  }
  throw new Error(`unknown case ${caseName}`);
}

const run = await prepare();
const bytes = new Uint8Array(await readFile(inputPath));
const beforeKiB = process.resourceUsage().maxRSS;
const started = performance.now();
const info = await run(bytes);
const ms = performance.now() - started;
console.log(JSON.stringify({ case: caseName, beforeKiB, peakKiB: process.resourceUsage().maxRSS, ms, info }));
process.exit(0);
