// PNG encoder settings for the worker's results, speed against size: `node --import tsx bench/png-encode.ts`.
// Inputs are real photos cut out with a soft elliptical alpha (what a removal result looks like to the encoder:
// an opaque subject, a transparent background, a soft edge), at 1024² and camera size (4000×3000), plus the
// opaque RGB of an upscale. Every setting is checked to decode to exactly the input's pixels.
// BENCH_RUNS (default 3) timed runs per setting; SHARP_CONCURRENCY as for the worker.
import { join } from 'node:path';
import sharp from 'sharp';
import { pngOptionsFor } from '../gpu-worker/src/pipeline/encode-image.ts';
import { benchThreads } from './support/bench-threads.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const fixtures = join(import.meta.dirname, '../fixtures/images');
const threads = benchThreads();

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

const images = [
  { name: 'fruits cut-out 1024² RGBA', image: await cutout('fruits.jpg', 1024, 1024) },
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

const settings: Array<[string, sharp.PngOptions]> = [
  ['level 6, no filter (sharp default)', { compressionLevel: 6 }],
  ['level 6, adaptive', { compressionLevel: 6, adaptiveFiltering: true }],
  ['level 3, adaptive', { compressionLevel: 3, adaptiveFiltering: true }],
  ['level 2, adaptive', { compressionLevel: 2, adaptiveFiltering: true }],
  ['level 1, adaptive', { compressionLevel: 1, adaptiveFiltering: true }],
  ['level 1, no filter', { compressionLevel: 1 }],
  ['level 0 (stored)', { compressionLevel: 0 }],
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

console.log(`PNG encode, median of ${runs} runs; ${threads}`);
console.log('');
console.log('| input | setting | ms | MB | × default ms | × default MB | worker default | pixels identical |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { name, image } of images) {
  const raw = () =>
    sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } });
  const chosen = JSON.stringify(pngOptionsFor(image.width * image.height));
  let base: { ms: number; bytes: number } | undefined;
  for (const [label, options] of settings) {
    const ms: number[] = [];
    let bytes: Buffer = Buffer.alloc(0);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      bytes = await raw().png(options).toBuffer();
      ms.push(performance.now() - started);
    }
    const decoded = await sharp(bytes).raw().toBuffer();
    const identical = decoded.equals(image.pixels);
    const m = median(ms);
    base ??= { ms: m, bytes: bytes.length };
    const isChosen =
      JSON.stringify({
        compressionLevel: options.compressionLevel,
        adaptiveFiltering: options.adaptiveFiltering ?? false,
      }) === chosen;
    console.log(
      `| ${name} | ${label} | ${m.toFixed(0)} | ${(bytes.length / 1e6).toFixed(2)} | ${(m / base.ms).toFixed(2)} | ${(bytes.length / base.bytes).toFixed(2)} | ${isChosen ? 'yes' : ''} | ${identical ? 'yes' : 'NO'} |`,
    );
  }
}
