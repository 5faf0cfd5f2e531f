import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ModelEntry, ModelRegistry } from '@lumina/gpu-worker';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/**
 * The floor a worker's model stage is compared with: plain onnxruntime-node on the same file, every core as
 * intra-op threads, nothing around it (no thread hop, no pre- or postprocessing). Median ms of `runs` after a
 * warm-up, and the thread count it used, for the table.
 */
export async function rawOnnxFloor(
  file: string,
  dims: readonly number[],
  runs: number,
  { inputName = 'input', outputName = 'output' } = {},
): Promise<{ ms: number; threads: number }> {
  const threads = availableParallelism();
  const session = await InferenceSession.create(readFileSync(file), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
  });
  const size = dims.reduce((a, b) => a * b, 1);
  const once = async () => {
    const started = performance.now();
    await session.run({ [inputName]: new Tensor('float32', new Float32Array(size), dims) }, [outputName]);
    return performance.now() - started;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  await session.release();
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] ?? Number.NaN, threads };
}

/**
 * For a model the worker serves as a float32 copy (`source.kind: 'widened'`), the floor on the float16 file it
 * was made from: what plain onnxruntime, and the peers, load. Printed beside the floor on the served file, so the
 * widening's gain is measured in the same run rather than assumed.
 */
export async function printShippedFloor(
  registry: ModelRegistry,
  model: ModelEntry,
  served: { readonly ms: number },
  dims: readonly number[],
  runs: number,
): Promise<void> {
  const source = model.source;
  if (source.kind !== 'widened') return;
  const shipped = registry.models.find((m) => m.id === source.from);
  if (!shipped) return;
  const floor = await rawOnnxFloor(join(registry.dir, shipped.file), dims, runs);
  console.log(
    `raw floor on the float16 file it is widened from (${shipped.file}, what the peer loads): ${floor.ms.toFixed(0)} ms; ` +
      `served float32 / float16: ${(served.ms / floor.ms).toFixed(2)}`,
  );
}
