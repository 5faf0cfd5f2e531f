// PNG encoder settings for the worker's results, speed against size: `node --import tsx bench/png-encode.ts`.
// The worker's encoder picks run-length deflate or Huffman coding alone for each part from a sample of its bytes
// ("strategy per part"); the fixed-strategy rows show what each choice costs on each input.
// Inputs are real photos cut out with a soft elliptical alpha (what a removal result looks like to the encoder:
// an opaque subject, a transparent background, a soft edge), at 1024² and camera size (4000×3000), plus the
// opaque RGB of an upscale, and a flat graphic (where deflate's long matches pay). Every setting is checked to
// decode to exactly the input's pixels.
// BENCH_RUNS (default 3) timed runs per setting after a warm-up; SHARP_CONCURRENCY as for the worker.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:zlib';
import sharp from 'sharp';
import { encodePng } from '../gpu-worker/src/pipeline/encode-png.ts';
import { benchThreads } from './support/bench-threads.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const fixtures = join(import.meta.dirname, '../fixtures/images');
const threads = benchThreads();
const cores = availableParallelism();

async function cutout(name: string, width: number, height: number) {
  const rgb = await sharp(join(fixtures, name)).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - width / 2) / (width * 0.35);
      const dy = (y - height / 2) / (height * 0.4);
      const d = Math.sqrt(dx * dx + dy * dy);
      const i = y * width + x;
      pixels[i * 4] = rgb[i * 3] ?? 0;
      pixels[i * 4 + 1] = rgb[i * 3 + 1] ?? 0;
      pixels[i * 4 + 2] = rgb[i * 3 + 2] ?? 0;
      pixels[i * 4 + 3] = Math.max(0, Math.min(255, Math.round((1.05 - d) * 255 * 10)));
    }
  }
  return { pixels, width, height, channels: 4 as const };
}

/** A poster-like flat graphic (large single-colour areas, text): where deflate's distant matches pay off. */
async function flatGraphic(width: number, height: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f4f1ea"/><circle cx="40%" cy="40%" r="30%" fill="#e4572e"/><rect x="50%" y="50%" width="40%" height="30%" rx="24" fill="#29335c"/><text x="8%" y="92%" font-family="sans-serif" font-size="${Math.round(height / 12)}" fill="#222">Sunset sale -30%</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { pixels: data, width: info.width, height: info.height, channels: 4 as const };
}

const images = [
  { name: 'fruits cut-out 1024² RGBA', image: await cutout('fruits.jpg', 1024, 1024) },
  { name: 'flat graphic 1024² RGBA', image: await flatGraphic(1024, 1024) },
  { name: 'baboon cut-out 4000×3000 RGBA', image: await cutout('baboon.jpg', 4000, 3000) },
  {
    name: 'baboon 4096² RGB (an upscale)',
    image: {
      pixels: await sharp(join(fixtures, 'baboon.jpg')).resize(4096, 4096).removeAlpha().raw().toBuffer(),
      width: 4096,
      height: 4096,
      channels: 3 as const,
    },
  },
];

type Image = (typeof images)[number]['image'];
const sharpPng =
  (options: sharp.PngOptions) =>
  (image: Image): Promise<Buffer> =>
    sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } })
      .png(options)
      .toBuffer();
const lumina = (options: Parameters<typeof encodePng>[1]) => (image: Image) => encodePng(image, options);

// The first row is the baseline the ratios divide by; `worker` marks the worker's encoder.
const settings: Array<[string, (image: Image) => Promise<Buffer>, boolean]> = [
  ['sharp level 6, no filter (sharp default)', sharpPng({ compressionLevel: 6 }), false],
  ['sharp level 6, adaptive', sharpPng({ compressionLevel: 6, adaptiveFiltering: true }), false],
  ['sharp level 3, adaptive (worker until 2026-12)', sharpPng({ compressionLevel: 3, adaptiveFiltering: true }), false],
  ['sharp level 1, adaptive', sharpPng({ compressionLevel: 1, adaptiveFiltering: true }), false],
  ['sharp level 1, no filter', sharpPng({ compressionLevel: 1 }), false],
  ['sharp level 0 (stored)', sharpPng({ compressionLevel: 0 }), false],
  [
    'Lumina: average filter, deflate level 1, 1 thread',
    lumina({ strategy: constants.Z_DEFAULT_STRATEGY, threads: 1 }),
    false,
  ],
  [
    'Lumina: average filter, deflate level 3, 1 thread',
    lumina({ level: 3, strategy: constants.Z_DEFAULT_STRATEGY }),
    false,
  ],
  ['Lumina: average filter, run-length deflate, 1 thread', lumina({ strategy: constants.Z_RLE, threads: 1 }), false],
  ['Lumina: average filter, Huffman only, 1 thread', lumina({ strategy: constants.Z_HUFFMAN_ONLY, threads: 1 }), false],
  ['Lumina: average filter, strategy per part, 1 thread', lumina({ threads: 1 }), false],
  [
    `Lumina: average filter, strategy per part, ${cores} threads (worker, one job on every core)`,
    lumina({ threads: cores }),
    true,
  ],
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

console.log(`PNG encode, median of ${runs} runs; ${threads}`);
console.log('');
console.log('| input | setting | ms | MB | × default ms | × default MB | worker | pixels identical |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { name, image } of images) {
  let base: { ms: number; bytes: number } | undefined;
  for (const [label, encode, isWorker] of settings) {
    const ms: number[] = [];
    // One untimed run first: the JIT compiles our filter loop, libvips warms its caches.
    let bytes: Buffer = await encode(image);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      bytes = await encode(image);
      ms.push(performance.now() - started);
    }
    const decoded = await sharp(bytes).raw().toBuffer();
    const identical = decoded.equals(image.pixels);
    const m = median(ms);
    base ??= { ms: m, bytes: bytes.length };
    console.log(
      `| ${name} | ${label} | ${m.toFixed(0)} | ${(bytes.length / 1e6).toFixed(2)} | ${(m / base.ms).toFixed(2)} | ${(bytes.length / base.bytes).toFixed(2)} | ${isWorker ? 'yes' : ''} | ${identical ? 'yes' : 'NO'} |`,
    );
  }
}
