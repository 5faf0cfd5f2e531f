import { describe, expect, it } from 'vitest';
import { readTfjsWeights } from '../tools/convert/read-tfjs-weights.ts';
import type { TfjsWeightGroup } from '../tools/convert/tfjs-model-json.ts';

/** Little-endian bytes of the given float32 values. */
const float32Bytes = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

describe('readTfjsWeights', () => {
  it('slices float32 weights out of a group whose shards split a weight in two', async () => {
    const bytes = float32Bytes([1, 2, 3, 4, 5, 6]);
    const shards: Record<string, Uint8Array> = { a: bytes.subarray(0, 10), b: bytes.subarray(10) };
    const manifest: TfjsWeightGroup[] = [
      {
        paths: ['a', 'b'],
        weights: [
          { name: 'conv/kernel', shape: [1, 1, 2, 2], dtype: 'float32' },
          { name: 'conv/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ];
    const weights = await readTfjsWeights(manifest, async (path) => shards[path] ?? new Uint8Array());
    expect(weights.get('conv/kernel')).toEqual({ shape: [1, 1, 2, 2], data: Float32Array.from([1, 2, 3, 4]) });
    expect(weights.get('conv/bias')).toEqual({ shape: [2], data: Float32Array.from([5, 6]) });
  });

  it('dequantizes uint8 weights as q * scale + min and float16 weights exactly', async () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer); // 1, -2, 0.333251953125
    const manifest: TfjsWeightGroup[] = [
      {
        paths: ['q'],
        weights: [
          { name: 'u8', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
          { name: 'f16', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
        ],
      },
    ];
    // The uint8 weight takes 3 bytes, so the float16 one starts at an odd offset: read unaligned, as tfjs does.
    const shard = Uint8Array.from([0, 2, 255, ...half]);
    const weights = await readTfjsWeights(manifest, async () => shard);
    expect(weights.get('u8')?.data).toEqual(Float32Array.from([-1, 0, 126.5]));
    expect(weights.get('f16')?.data).toEqual(Float32Array.from([1, -2, 0.333251953125]));
  });

  it('refuses shards that end before the manifest says, or hold bytes it does not account for', async () => {
    const manifest: TfjsWeightGroup[] = [{ paths: ['s'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }];
    await expect(readTfjsWeights(manifest, async () => float32Bytes([1]))).rejects.toThrow(/w runs past the end/);
    await expect(readTfjsWeights(manifest, async () => float32Bytes([1, 2, 3]))).rejects.toThrow(/4 unread bytes/);
  });
});
