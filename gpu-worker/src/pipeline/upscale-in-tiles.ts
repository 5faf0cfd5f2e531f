import type { ImageTensor, UpscaleSession } from '../inference/load-upscale-session.ts';
import { tileSpans, tileWeights, weightSums } from './tile-grid.ts';

/** 8-bit interleaved RGB pixels. */
export interface RgbPixels {
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface UpscaleInTilesInput {
  readonly session: UpscaleSession;
  readonly image: RgbPixels;
  readonly tileSizePx: number;
  readonly overlapPx: number;
  /** 3 for RGB; 4 leaves every fourth byte of the output for the caller's alpha. */
  readonly outputChannels: 3 | 4;
  /** Told after each tile, with the share of tiles done (0–1]; awaited, so it may report progress. */
  readonly onTileDone?: (fractionDone: number) => Promise<void> | void;
  /** Checked before each tile is sent: an abort leaves the remaining tiles undone. */
  readonly signal?: AbortSignal;
}

export interface UpscaleInTilesOutput {
  /** `outputChannels` bytes per pixel, width·scale × height·scale; with 4 channels the alpha bytes are 0. */
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
  /** Time spent building tile tensors, waiting on the model, and blending its output. */
  readonly preprocessMs: number;
  readonly inferenceMs: number;
  readonly postprocessMs: number;
}

/**
 * Upscales `image` tile by tile, blending neighbouring tiles linearly across their overlap so no seam shows.
 * At most `session.maxBatch` tiles are at the model at once (stacked into one run where the session batches),
 * and the blended floats are kept for one band of tile rows only: finished rows are written out as bytes at
 * once, so memory beyond the 8-bit output is bounded by the tile size and batch, not by the image's.
 */
export async function upscaleInTiles({
  session,
  image,
  tileSizePx,
  overlapPx,
  outputChannels,
  onTileDone,
  signal,
}: UpscaleInTilesInput): Promise<UpscaleInTilesOutput> {
  const { model } = session;
  const { scale } = model.output;
  const { width, height } = image;
  const outWidth = width * scale;
  const outHeight = height * scale;

  // Pixel values 0–255 map linearly onto the model's input range, and its output range back onto 0–255.
  const [inLow, inHigh] = model.input.range;
  const inScale = (inHigh - inLow) / 255;
  const [outLow, outHigh] = model.output.range;
  const outScale = 255 / (outHigh - outLow);

  const columns = tileSpans(width, tileSizePx, overlapPx);
  const rows = tileSpans(height, tileSizePx, overlapPx);
  const columnWeights = columns.map((_, i) => tileWeights(columns, i, scale));
  const columnSums = weightSums(columns, scale, outWidth);
  const rowSums = weightSums(rows, scale, outHeight);

  const output = Buffer.alloc(outWidth * outHeight * outputChannels);
  // A clamped view rounds and clamps to 0–255 on assignment, without a branch per byte.
  const bytes = new Uint8ClampedArray(output.buffer, output.byteOffset, output.length);
  // Normalising a blended sum: divide by its row's and column's weight sums, then map to 0–255.
  const columnScales = Float64Array.from(columnSums, (sum) => outScale / sum);
  const outOffset = outLow * outScale;
  let tilesDone = 0;
  const rowFloats = outWidth * 3;
  const bandRows = Math.min(tileSizePx, height) * scale;
  // Interleaved RGB sums of weighted model output; row 0 is output row `bandTop`.
  const band = new Float32Array(bandRows * rowFloats);
  let bandTop = 0;

  let preprocessMs = 0;
  let inferenceMs = 0;
  let postprocessMs = 0;
  let mark = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const elapsed = now - mark;
    mark = now;
    return elapsed;
  };

  // Tiles go to the model `session.maxBatch` ahead of the one being blended, so that the session can stack them
  // into one run; they are blended in order, as the band needs. Each pending run already has a handler, so one
  // that fails after an earlier failure or an abort is not an unhandled rejection.
  const order = rows.flatMap((row) => columns.map((column) => ({ row, column })));
  const pending: Array<Promise<ImageTensor> | undefined> = [];
  const submitUpTo = (end: number) => {
    for (let t = pending.length; t < Math.min(end, order.length); t++) {
      const { row, column } = order[t] as (typeof order)[number];
      signal?.throwIfAborted();
      lap();
      const tile = tileTensor(image, column.start, row.start, column.length, row.length, inLow, inScale);
      preprocessMs += lap();
      const run = session.run(tile, { width: column.length, height: row.length }, signal);
      run.catch(() => {});
      pending.push(run);
    }
  };

  for (const [rowIndex, row] of rows.entries()) {
    const rowWeights = tileWeights(rows, rowIndex, scale);
    const rowOffset = row.start * scale - bandTop;
    for (const [columnIndex, column] of columns.entries()) {
      const t = rowIndex * columns.length + columnIndex;
      submitUpTo(t + Math.max(1, session.maxBatch));
      lap();
      const upscaled = await (pending[t] as Promise<ImageTensor>);
      pending[t] = undefined;
      inferenceMs += lap();

      const weights = columnWeights[columnIndex] ?? new Float32Array(0);
      const plane = upscaled.width * upscaled.height;
      const red = upscaled.data.subarray(0, plane);
      const green = upscaled.data.subarray(plane, 2 * plane);
      const blue = upscaled.data.subarray(2 * plane, 3 * plane);
      const left = column.start * scale;
      for (let v = 0; v < upscaled.height; v++) {
        const rowWeight = rowWeights[v] as number;
        let target = ((rowOffset + v) * outWidth + left) * 3;
        for (let u = 0, i = v * upscaled.width; u < upscaled.width; u++, i++, target += 3) {
          const weight = rowWeight * (weights[u] as number);
          band[target] = (band[target] as number) + weight * (red[i] as number);
          band[target + 1] = (band[target + 1] as number) + weight * (green[i] as number);
          band[target + 2] = (band[target + 2] as number) + weight * (blue[i] as number);
        }
      }
      postprocessMs += lap();
      tilesDone += 1;
      await onTileDone?.(tilesDone / order.length);
      lap();
    }

    // Rows above the next tile row's start get nothing more: normalise them, write them out, and slide the
    // rest of the band (the overlap the next tile row adds to) up to its top.
    lap();
    const next = rows[rowIndex + 1];
    const doneUntil = next ? next.start * scale : outHeight;
    for (let y = bandTop; y < doneUntil; y++) {
      const rowScale = 1 / (rowSums[y] ?? 1);
      let source = (y - bandTop) * rowFloats;
      let target = y * outWidth * outputChannels;
      for (let x = 0; x < outWidth; x++, source += 3, target += outputChannels) {
        const k = rowScale * (columnScales[x] as number);
        bytes[target] = (band[source] as number) * k - outOffset;
        bytes[target + 1] = (band[source + 1] as number) * k - outOffset;
        bytes[target + 2] = (band[source + 2] as number) * k - outOffset;
      }
    }
    const kept = (row.start * scale + row.length * scale - doneUntil) * rowFloats;
    if (kept > 0) band.copyWithin(0, (doneUntil - bandTop) * rowFloats, (doneUntil - bandTop) * rowFloats + kept);
    band.fill(0, Math.max(0, kept));
    bandTop = doneUntil;
    postprocessMs += lap();
  }

  return { pixels: output, width: outWidth, height: outHeight, preprocessMs, inferenceMs, postprocessMs };
}

/** Planar float RGB of one tile, values mapped from 0–255 to the model's range. */
function tileTensor(
  image: RgbPixels,
  left: number,
  top: number,
  width: number,
  height: number,
  low: number,
  scale: number,
): Float32Array<ArrayBuffer> {
  const plane = width * height;
  const tensor = new Float32Array(3 * plane);
  for (let v = 0; v < height; v++) {
    let source = ((top + v) * image.width + left) * 3;
    for (let u = 0, i = v * width; u < width; u++, i++, source += 3) {
      tensor[i] = low + (image.pixels[source] ?? 0) * scale;
      tensor[plane + i] = low + (image.pixels[source + 1] ?? 0) * scale;
      tensor[2 * plane + i] = low + (image.pixels[source + 2] ?? 0) * scale;
    }
  }
  return tensor;
}
