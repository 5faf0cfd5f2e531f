import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
