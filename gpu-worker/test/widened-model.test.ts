import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadModelRegistry, loadModelSession, silentLogger } from '../src/index.ts';
import { decodeImage } from '../src/pipeline/decode-image.ts';
import { toModelInput } from '../src/pipeline/to-model-input.ts';
import { widenFloat16Model } from '../tools/convert/widen-float16-model.ts';
import { fixture, maskIoU, modelsDir } from './support/fixtures.ts';

describe('ISNet widened to float32 for the CPU', () => {
  it('is prepared at install time with only the fetched output, and widening is deterministic', async () => {
    const registry = await loadModelRegistry(modelsDir);
    const wide = registry.models.find((m) => m.id === 'isnet-medium-fp32');
    if (!wide) throw new Error('no isnet-medium-fp32 in the registry');
    const original = await InferenceSession.create(join(modelsDir, 'isnet-medium.onnx'));
    const widened = await InferenceSession.create(join(modelsDir, wide.file));
    // The float16 file also returns ISNet's six side outputs, which the worker never fetches.
    expect(original.outputNames.length).toBeGreaterThan(1);
    expect(widened.outputNames).toEqual(['output']);
    expect(widened.inputNames).toEqual(['input']);
    await Promise.all([original.release(), widened.release()]);

    const again = widenFloat16Model(readFileSync(join(modelsDir, 'isnet-medium.onnx')), { keepOutputs: ['output'] });
    expect(Buffer.from(again).equals(readFileSync(join(modelsDir, wide.file)))).toBe(true);
    expect(() =>
      widenFloat16Model(readFileSync(join(modelsDir, 'isnet-medium.onnx')), { keepOutputs: ['nope'] }),
    ).toThrow(/no output named nope/);
  }, 300_000);

  it('gives the masks of the float16 model', async () => {
    const registry = await loadModelRegistry(modelsDir);
    const load = (id: string) => {
      const model = registry.models.find((m) => m.id === id);
      if (model?.operation !== 'remove-background') throw new Error(`no mask model ${id}`);
      return loadModelSession({ registry, model, executionProvider: 'cpu', intraOpThreads: 2, log: silentLogger });
    };
    const narrow = await load('isnet-medium');
    const wide = await load('isnet-medium-fp32');
    for (const name of ['chelsea.png', 'horse.png', 'smarties.png']) {
      // Each run moves its input to the inference thread, so each gets its own.
      const input = async () =>
        toModelInput(await decodeImage(await sharp(fixture(name)).png().toBuffer()), wide.model.input);
      const a = await narrow.run(await input());
      const b = await wide.run(await input());
      let largest = 0;
      for (let i = 0; i < a.data.length; i++)
        largest = Math.max(largest, Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)));
      expect({ name, iou: maskIoU(a.data, b.data) >= 0.999, largest: largest < 0.01 }).toEqual({
        name,
        iou: true,
        largest: true,
      });
    }
  }, 900_000);
});
