// Peak resident memory of the gpu-worker's pipeline on the largest jobs it accepts, each case in a fresh process
// (bench/support/peak-rss-case.ts) since peak RSS never goes down:
//   node --import tsx bench/peak-rss.ts
// (a) background removal of a JPEG just under the upload limit (25 MiB, 64 MP: backend/src/config.ts's defaults),
// (b) slim ×4 upscale of a 2048² PNG (an 8192² result). LUMINA_EXECUTION_PROVIDER and ORT_INTRA_OP_THREADS as
// for the worker. The goal is under 3 GB each.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const maxUploadBytes = 25 * 1024 * 1024;
const maxInputPixels = 64_000_000;
const goalMiB = 3 * 1024;
const fixtures = join(import.meta.dirname, '../fixtures/images');
const caseScript = join(import.meta.dirname, 'support/peak-rss-case.ts');
const dir = mkdtempSync(join(tmpdir(), 'lumina-peak-rss-'));

/**
 * A real photo at 8000×6000 (48 MP) with ±7 levels of noise, which JPEG cannot smooth away, at the highest quality
 * that stays under the upload limit: a camera-like upload as close to 25 MiB as a quality step allows.
 */
async function largestUpload(): Promise<{ bytes: Buffer; quality: number }> {
  const [width, height] = [8000, 6000];
  if (width * height > maxInputPixels) throw new Error('the upload would be over the pixel limit');
  const pixels = await sharp(join(fixtures, 'baboon.jpg'))
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
  let seed = 1;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    pixels[i] = Math.min(255, Math.max(0, (pixels[i] ?? 0) + ((seed >> 16) % 15) - 7));
  }
  for (let quality = 100; quality > 50; quality--) {
    const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality })
      .toBuffer();
    if (bytes.length <= maxUploadBytes) return { bytes, quality };
  }
  throw new Error('no quality above 50 fits the upload limit');
}

interface CaseResult {
  readonly beforeKiB: number;
  readonly peakKiB: number;
  readonly ms: number;
  readonly info: { readonly width: number; readonly height: number };
}

function runCase(caseName: string, inputPath: string): CaseResult {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', caseScript, caseName, inputPath], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as CaseResult;
}

try {
  const upload = await largestUpload();
  const uploadPath = join(dir, 'upload.jpg');
  writeFileSync(uploadPath, upload.bytes);
  const squarePath = join(dir, 'square.png');
  writeFileSync(
    squarePath,
    await sharp(join(fixtures, 'baboon.jpg')).resize(2048, 2048, { fit: 'cover' }).png().toBuffer(),
  );
  const cases = [
    {
      name: `remove-background 8000×6000 JPEG q${upload.quality}, ${(upload.bytes.length / 2 ** 20).toFixed(2)} MiB`,
      id: 'remove-background',
      path: uploadPath,
    },
    { name: 'upscale slim ×4 2048² PNG', id: 'upscale-x4', path: squarePath },
  ];
  console.log(`peak RSS per case, each in a fresh process (maxRSS); goal under ${goalMiB} MiB`);
  const rows = [];
  for (const { name, id, path } of cases) {
    const result = runCase(id, path);
    const peakMiB = result.peakKiB / 1024;
    rows.push({
      case: name,
      output: `${result.info.width}×${result.info.height}`,
      seconds: (result.ms / 1000).toFixed(1),
      'MiB after model load': (result.beforeKiB / 1024).toFixed(0),
      'peak MiB': peakMiB.toFixed(0),
      'under 3 GB': peakMiB < goalMiB ? 'yes' : 'NO',
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
  console.table(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
