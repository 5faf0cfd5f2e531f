// What the edit worker adds around Gemini, per input: `node --import tsx bench/magic-edit-request.ts`.
// Baseline: sending the upload as it is (base64 in the JSON body, as a naive client would). Lumina re-encodes and
// downscales first; the table shows request size against that baseline, whether the baseline would even fit the
// ~7 MB inline limit, and the time preparing the input and finishing the answer (resize back + encode) take.
// The model itself cannot be reached from here; its time is not part of these figures. BENCH_RUNS (default 5).
import { join } from 'node:path';
import sharp from 'sharp';
import { finishEdit } from '../backend/src/edit/finish-edit.ts';
import { maxSentBytes, prepareEditInput } from '../backend/src/edit/prepare-edit-input.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const fixtures = join(import.meta.dirname, '../fixtures/images');

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const time = async (fn: () => Promise<unknown>) => {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
};
const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

const inputs: Array<{ name: string; bytes: Buffer }> = [
  { name: 'chelsea.png 451×300', bytes: await sharp(join(fixtures, 'chelsea.png')).toBuffer() },
  {
    name: 'fruits 1024×1024 PNG',
    bytes: await sharp(join(fixtures, 'fruits.jpg')).resize(1024, 1024, { fit: 'fill' }).png().toBuffer(),
  },
  {
    name: 'baboon 4000×3000 JPEG q90',
    bytes: await sharp(join(fixtures, 'baboon.jpg'))
      .resize(4000, 3000, { fit: 'fill' })
      .jpeg({ quality: 90 })
      .toBuffer(),
  },
  {
    name: 'baboon 4000×3000 PNG',
    bytes: await sharp(join(fixtures, 'baboon.jpg')).resize(4000, 3000, { fit: 'fill' }).png().toBuffer(),
  },
  {
    name: 'horse 4000×3280 PNG + alpha',
    bytes: await sharp(join(fixtures, 'horse.png')).resize(4000, 3280, { fit: 'fill' }).png().toBuffer(),
  },
];
// Gemini answers at about a megapixel, e.g. 1184×864 for 4:3.
const answer = await sharp(join(fixtures, 'home.jpg')).resize(1184, 864, { fit: 'fill' }).png().toBuffer();

console.log(`magic-edit request preparation, median of ${runs} runs (the model's own time excluded)\n`);
console.log(
  '| input | upload MB | as-is request MB | fits 7 MB? | Lumina request MB | size ratio | sent px | prepare ms | finish ms |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const input of inputs) {
  const prepared = await prepareEditInput(input.bytes);
  const prepareMs = await time(() => prepareEditInput(input.bytes));
  const finishMs = await time(() =>
    finishEdit({
      modelImage: answer,
      original: prepared.original,
      sent: prepared.sent,
      size: 'original',
      format: 'png',
    }),
  );
  const asIs = base64Length(input.bytes.length);
  const ours = base64Length(prepared.image.length);
  console.log(
    `| ${input.name} | ${mb(input.bytes.length)} | ${mb(asIs)} | ${input.bytes.length <= maxSentBytes ? 'yes' : '**no**'} | ${mb(ours)} | ${(asIs / ours).toFixed(1)}× smaller | ${prepared.sent.width}×${prepared.sent.height} | ${prepareMs.toFixed(0)} | ${finishMs.toFixed(0)} |`,
  );
}
