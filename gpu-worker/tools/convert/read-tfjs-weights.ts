import type { TfjsWeightGroup, TfjsWeightSpec } from './tfjs-model-json.ts';

export interface NamedWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Reads a shard's bytes given its path as written in the manifest (relative to model.json). */
export type ReadShard = (path: string) => Promise<Uint8Array>;

function float16ToFloat32(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function decodeWeight(spec: TfjsWeightSpec, view: DataView): { data: Float32Array; byteLength: number } {
  // Only float weights are converted (a quantized weight declares the dtype it was quantized from).
  if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported`);
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  const quantization = spec.quantization;
  const bytesPerValue = quantization === undefined ? 4 : quantization.dtype === 'uint8' ? 1 : 2;
  if (count * bytesPerValue > view.byteLength) throw new Error(`weight ${spec.name} runs past the end of its shards`);
  if (quantization === undefined) {
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    return { data, byteLength: count * 4 };
  }
  if (quantization.dtype === 'float16') {
    for (let i = 0; i < count; i++) data[i] = float16ToFloat32(view.getUint16(i * 2, true));
    return { data, byteLength: count * 2 };
  }
  // Affine quantization: value = q * scale + min (tfjs-core io/io_utils.ts).
  const { scale, min } = quantization;
  if (scale === undefined || min === undefined) throw new Error(`weight ${spec.name}: quantization lacks scale/min`);
  for (let i = 0; i < count; i++) {
    const q = bytesPerValue === 1 ? view.getUint8(i) : view.getUint16(i * 2, true);
    data[i] = q * scale + min;
  }
  return { data, byteLength: count * bytesPerValue };
}

/**
 * Reads every weight of a TensorFlow.js weights manifest into float32 arrays keyed by weight name. A group's
 * shards are one byte stream cut at arbitrary points, so they are joined before the weights are sliced off.
 */
export async function readTfjsWeights(
  manifest: readonly TfjsWeightGroup[],
  readShard: ReadShard,
): Promise<Map<string, NamedWeight>> {
  const weights = new Map<string, NamedWeight>();
  for (const group of manifest) {
    const shards = await Promise.all(group.paths.map(readShard));
    const total = shards.reduce((sum, shard) => sum + shard.length, 0);
    const joined = new Uint8Array(total);
    let offset = 0;
    for (const shard of shards) {
      joined.set(shard, offset);
      offset += shard.length;
    }
    offset = 0;
    for (const spec of group.weights) {
      const { data, byteLength } = decodeWeight(spec, new DataView(joined.buffer, offset));
      offset += byteLength;
      if (weights.has(spec.name)) throw new Error(`weight ${spec.name} appears twice in the manifest`);
      weights.set(spec.name, { shape: spec.shape, data });
    }
    if (offset !== total) throw new Error(`shards ${group.paths.join(', ')} hold ${total - offset} unread bytes`);
  }
  return weights;
}
