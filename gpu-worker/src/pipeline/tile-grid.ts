/** One tile along one axis: where it starts and how long it is, in input pixels. */
export interface TileSpan {
  readonly start: number;
  readonly length: number;
}

/**
 * Tiles of at most `tileSizePx` covering `lengthPx`, each overlapping its neighbours by at least `overlapPx`.
 * The fewest tiles that can do it, shrunk to one common length and spread evenly: full-size tiles at a fixed
 * stride would make the last one mostly overlap (a 512 px side in tiles of 256 would cost 2.25× the pixels
 * instead of 1.14×), and one shape for every tile of an image spares onnxruntime a slow first run per shape.
 */
export function tileSpans(lengthPx: number, tileSizePx: number, overlapPx: number): TileSpan[] {
  if (lengthPx <= tileSizePx) return [{ start: 0, length: lengthPx }];
  const count = Math.ceil((lengthPx - overlapPx) / (tileSizePx - overlapPx));
  const length = Math.min(tileSizePx, Math.ceil((lengthPx + (count - 1) * overlapPx) / count));
  const spans: TileSpan[] = [];
  for (let i = 0; i < count; i++) {
    spans.push({ start: Math.round((i * (lengthPx - length)) / (count - 1)), length });
  }
  return spans;
}

/**
 * The share of each overlap that a tile gives up entirely to its neighbour, on each side: ESRGAN pads its
 * convolutions with zeros, so a tile's outermost output pixels are the least like an untiled run.
 */
const discardedShare = 0.25;

/** Weights below this still count, so every output pixel has some weight even where tiles barely overlap. */
const minimumWeight = 1e-4;

/**
 * The blending weight of each output pixel along one axis of tile `index`, `scale` output pixels per input
 * pixel: 1 inside, falling linearly to ~0 across the overlap with each neighbour after skipping the
 * discarded share next to the tile's edge. Two neighbours' ramps over one overlap sum to 1.
 */
export function tileWeights(spans: readonly TileSpan[], index: number, scale: number): Float32Array {
  const span = spans[index];
  if (!span) throw new RangeError(`no tile ${index} among ${spans.length}`);
  const before = spans[index - 1];
  const after = spans[index + 1];
  const lengthOut = span.length * scale;
  const overlapBefore = before ? (before.start + before.length - span.start) * scale : 0;
  const overlapAfter = after ? (span.start + span.length - after.start) * scale : 0;
  const ramp = (distanceFromEdge: number, overlap: number): number => {
    if (overlap <= 0) return 1;
    const skipped = Math.floor(overlap * discardedShare);
    const weight = (distanceFromEdge + 0.5 - skipped) / (overlap - 2 * skipped);
    return Math.min(1, Math.max(minimumWeight, weight));
  };
  const weights = new Float32Array(lengthOut);
  for (let u = 0; u < lengthOut; u++) {
    weights[u] = Math.min(ramp(u, overlapBefore), ramp(lengthOut - 1 - u, overlapAfter));
  }
  return weights;
}

/** Each output pixel's total weight along one axis, summed over the tiles covering it. */
export function weightSums(spans: readonly TileSpan[], scale: number, lengthOut: number): Float32Array {
  const sums = new Float32Array(lengthOut);
  spans.forEach((span, index) => {
    const weights = tileWeights(spans, index, scale);
    const offset = span.start * scale;
    for (let u = 0; u < weights.length; u++) sums[offset + u] = (sums[offset + u] ?? 0) + (weights[u] ?? 0);
  });
  return sums;
}
