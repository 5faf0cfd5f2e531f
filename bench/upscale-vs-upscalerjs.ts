// Upscaling against the peer a JavaScript developer would pick, UpscalerJS (`upscaler`), on the same ESRGAN
// weights (@upscalerjs/esrgan-slim, the files Lumina converts to ONNX): time per image and the largest per-pixel
// difference between the two results, in 8-bit levels.
//   node --import tsx bench/upscale-vs-upscalerjs.ts
// BENCH_RUNS (default 2) timed runs after a warm-up (one at 1024², the peer being slow), BENCH_SIZES (128,512,1024),
// BENCH_SCALES (2; 2,4 adds ×4), LUMINA_EXECUTION_PROVIDER (cpu) for Lumina's side, ORT_INTRA_OP_THREADS as for
// the worker; PEER_PATCH_PX and PEER_PADDING_PX (default: Lumina's tile and overlap) for UpscalerJS's patches.
// UpscalerJS's Node entry needs @tensorflow/tfjs-node, which does not install here, so the peer is upscaler's
// browser build (run through tsx, which resolves its extensionless imports) on TensorFlow.js's wasm backend. It is
// never a dependency of Lumina: it lives in bench/peer-upscalerjs/ only, installed there on first run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  chooseUpscaleModel,
  loadModelRegistry,
  loadUpscaleSession,
  silentLogger,
  type UpscaleModelEntry,
  upscaleImage,
} from '@lumina/gpu-worker';
import type * as Tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { defaultOverlapPx, defaultTileSizePx } from '../gpu-worker/src/pipeline/upscale-image.ts';
import { findInstalledPackage } from '../gpu-worker/tools/convert/convert-tfjs-package-model.ts';
import { benchBatching, benchIntraOpThreads, benchThreads } from './support/bench-threads.ts';
import { benchExecutionProvider } from './support/execution-provider.ts';
import { rawOnnxFloor } from './support/raw-onnx-floor.ts';

const list = (value: string | undefined, fallback: string): number[] => (value ?? fallback).split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const sizes = list(process.env.BENCH_SIZES, '128,512,1024');
const scales = list(process.env.BENCH_SCALES, '2');
const patchSize = Number(process.env.PEER_PATCH_PX ?? defaultTileSizePx);
const padding = Number(process.env.PEER_PADDING_PX ?? defaultOverlapPx);
const threads = benchThreads();
const intraOpThreads = benchIntraOpThreads();
const peerDir = join(import.meta.dirname, 'peer-upscalerjs');
const fixtures = join(import.meta.dirname, '../fixtures/images');
const gpuWorkerDir = join(import.meta.dirname, '../gpu-worker');

if (!existsSync(join(peerDir, 'node_modules/upscaler'))) {
  console.log('installing the peer into bench/peer-upscalerjs (once)…');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: peerDir, stdio: 'inherit' });
}

// The peer's own TensorFlow.js (the copy its `import '@tensorflow/tfjs'` resolves to), on the wasm backend.
const peerRequire = createRequire(join(peerDir, 'package.json'));
const tf = peerRequire('@tensorflow/tfjs') as typeof Tf;
const { setWasmPaths } = peerRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
// In Node the wasm backend reads its .wasm binaries from a file-system prefix.
setWasmPaths(`${join(peerDir, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`);
await tf.setBackend('wasm');
await tf.ready();
if (tf.getBackend() !== 'wasm') throw new Error(`TensorFlow.js runs on ${tf.getBackend()}, not wasm`);

// UpscalerJS fetches model.json by URL (a CDN by default); file:// URLs are read from node_modules instead.
// A router answers null for URLs it does not handle, which tfjs's IORouter type leaves out.
const fileRouter = (url: string | string[]): Tf.io.IOHandler | null => {
  if (typeof url !== 'string' || !url.startsWith('file://')) return null;
  const modelJsonPath = fileURLToPath(url);
  return {
    async load() {
      const modelJson = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as {
        modelTopology: object;
        weightsManifest: Array<{ paths: string[]; weights: Tf.io.WeightsManifestEntry[] }>;
      };
      const shards = modelJson.weightsManifest.flatMap((group) =>
        group.paths.map((path) => readFileSync(join(modelJsonPath, '..', path))),
      );
      return {
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
        weightData: new Uint8Array(Buffer.concat(shards)).buffer,
      };
    },
  };
};
tf.io.registerLoadRouter(fileRouter as Parameters<typeof tf.io.registerLoadRouter>[0]);

interface UpscalerInstance {
  getModel(): Promise<unknown>;
  upscale(image: Tf.Tensor3D, options: Record<string, unknown>): Promise<Tf.Tensor3D>;
  dispose(): Promise<void>;
}
// The package exports its browser build under the `import` condition only, so it is imported by file.
const upscalerEntry = join(peerDir, 'node_modules/upscaler/dist/browser/esm/upscalerjs/src/browser/esm/index.js');
const { default: Upscaler } = (await import(pathToFileURL(upscalerEntry).href)) as {
  default: new (options: { model: object }) => UpscalerInstance;
};
const peerVersion = (
  JSON.parse(readFileSync(join(peerDir, 'node_modules/upscaler/package.json'), 'utf8')) as { version: string }
).version;

/** UpscalerJS's own model definition, pointed at the weights Lumina converted (gpu-worker's installed copy). */
function peerModel(model: UpscaleModelEntry): object {
  if (model.source.kind !== 'tfjs-layers') throw new Error(`${model.id} is not a tfjs-layers model`);
  const packageDir = findInstalledPackage(model.source.package, gpuWorkerDir);
  const name = model.source.package.replace(/@[^@]+$/, '');
  const definition = createRequire(join(gpuWorkerDir, 'package.json'))(`${name}/${model.output.scale}x`) as object;
  return { ...definition, path: pathToFileURL(join(packageDir, model.source.path)).href };
}

const registry = await loadModelRegistry(join(gpuWorkerDir, 'models'));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** The largest difference of any channel of any pixel, in 8-bit levels. */
function maxDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`the outputs differ in size: ${a.length} and ${b.length} bytes`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

console.log(
  `peer: upscaler ${peerVersion} (UpscalerJS's browser build; its Node entry needs tfjs-node) on TensorFlow.js ` +
    `${tf.version.tfjs} wasm, patchSize ${patchSize} padding ${padding}`,
);
console.log(
  `Lumina: onnxruntime on ${benchExecutionProvider}, tiles of ${defaultTileSizePx} px overlapping by ${defaultOverlapPx} px`,
);
console.log(
  `ESRGAN slim, median ms of ${runs} runs after a warm-up (1 at 1024²); both sides from a PNG's bytes to RGB pixels` +
    ', Lumina also encoding its PNG result (as the worker does), the peer not',
);
console.log(threads);
console.log('raw floor: plain onnxruntime-node on the same file, every core, the whole image in one run (no tiles)');
console.log('');
const row = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);
row(['model', 'input', 'Lumina ms', 'UpscalerJS ms', 'speed-up', 'raw floor ms', 'Lumina / floor', 'max diff']);
row(['---', '---', '---', '---', '---', '---', '---', '---']);
for (const scale of scales) {
  const model = chooseUpscaleModel(registry, { scale, model: 'slim' });
  const session = await loadUpscaleSession({
    registry,
    model,
    executionProvider: benchExecutionProvider,
    intraOpThreads,
    ...benchBatching(),
    log: silentLogger,
  });
  const upscaler = new Upscaler({ model: peerModel(model) });
  await upscaler.getModel();
  for (const sizePx of sizes) {
    const png = await sharp(join(fixtures, 'baboon.jpg')).resize(sizePx, sizePx, { fit: 'cover' }).png().toBuffer();
    const ours = async (): Promise<Uint8Array> => {
      const { bytes } = await upscaleImage({ session, bytes: png, scale, format: 'png' });
      return new Uint8Array(await sharp(bytes).removeAlpha().raw().toBuffer());
    };
    // The peer's input the way a Node user hands it over: decoded pixels as a tensor.
    const theirs = async (): Promise<Uint8Array> => {
      const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const input = tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
      const output = await upscaler.upscale(input, { output: 'tensor', patchSize, padding });
      input.dispose();
      const values = await output.data();
      output.dispose();
      return Uint8Array.from(values, (v) => Math.min(255, Math.max(0, Math.round(v))));
    };
    await ours();
    await theirs();
    const n = sizePx >= 1024 ? Math.min(runs, 1) : runs;
    const oursMs: number[] = [];
    const theirsMs: number[] = [];
    let diff = Number.NaN;
    for (let i = 0; i < n; i++) {
      const a = await timed(ours);
      const b = await timed(theirs);
      oursMs.push(a.ms);
      theirsMs.push(b.ms);
      diff = maxDiff(a.value, b.value);
    }
    const [o, t] = [median(oursMs), median(theirsMs)];
    const floor = await rawOnnxFloor(join(registry.dir, model.file), [1, 3, sizePx, sizePx], n);
    const cells = [
      `slim ×${scale}`,
      `${sizePx}²`,
      o.toFixed(0),
      t.toFixed(0),
      `${(t / o).toFixed(2)}×`,
      floor.ms.toFixed(0),
      (o / floor.ms).toFixed(2),
      `${diff}`,
    ];
    row(cells);
  }
  await upscaler.dispose();
}
console.log('goal: ≥ 7× faster, ≤ 1 level');
process.exit(0);
