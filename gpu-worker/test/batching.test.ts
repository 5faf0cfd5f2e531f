import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadModelRegistry, loadModelSession, modelFor, silentLogger } from '../src/index.ts';
import type { InferenceObserver } from '../src/inference/load-session-thread.ts';
import { decodeImage } from '../src/pipeline/decode-image.ts';
import { toModelInput } from '../src/pipeline/to-model-input.ts';
import { fixture, loadTestSession, maskIoU, modelsDir } from './support/fixtures.ts';

describe('dynamic batching of ISNet', () => {
  it('stacks waiting inputs into one run whose masks equal those of single runs', async () => {
    const registry = await loadModelRegistry(modelsDir);
    const model = modelFor(registry, 'remove-background', 'cpu');
    const batches: number[] = [];
    const observer: InferenceObserver = { batch: (_model, _provider, size) => batches.push(size), queueWait: () => {} };
    // A long wait so the four inputs, handed over one after another, surely meet in one batch.
    const batched = await loadModelSession({
      registry,
      model,
      executionProvider: 'cpu',
      intraOpThreads: 2,
      maxBatch: 4,
      batchWaitMs: 2000,
      observer,
      log: silentLogger,
    });
    const single = await loadTestSession();

    const inputs = async () =>
      Promise.all(
        ['chelsea.png', 'horse.png', 'coffee.png', 'smarties.png'].map(async (name) =>
          toModelInput(await decodeImage(await sharp(fixture(name)).png().toBuffer()), model.input),
        ),
      );
    const together = await Promise.all((await inputs()).map((input) => batched.run(input)));
    expect(batches.filter((size) => size > 1)).toEqual([4]);

    const alone = [];
    for (const input of await inputs()) alone.push(await single.run(input));
    for (const [i, mask] of together.entries()) {
      const reference = alone[i];
      if (!reference) throw new Error(`no single-run mask ${i}`);
      expect({ width: mask.width, height: mask.height }).toEqual({ width: 1024, height: 1024 });
      expect(maskIoU(mask.data, reference.data)).toBeGreaterThanOrEqual(0.999);
    }
  }, 900_000);

  it('drops a canceled input from the queue without disturbing the rest of its batch', async () => {
    const registry = await loadModelRegistry(modelsDir);
    const model = modelFor(registry, 'remove-background', 'cpu');
    const session = await loadModelSession({
      registry,
      model,
      executionProvider: 'cpu',
      intraOpThreads: 2,
      maxBatch: 4,
      batchWaitMs: 2000,
      log: silentLogger,
    });
    const input = async () => toModelInput(await decodeImage(fixture('horse.png')), model.input);
    const [first, second] = [await input(), await input()];
    const abort = new AbortController();
    const kept = session.run(first);
    const dropped = session.run(second, abort.signal);
    abort.abort(new Error('canceled on request'));
    await expect(dropped).rejects.toThrow('canceled on request');
    expect((await kept).width).toBe(1024);
  }, 900_000);
});
