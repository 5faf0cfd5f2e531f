import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOnnxModel } from '../../gpu-worker/tools/convert/encode-onnx-model.ts';

/**
 * A models folder whose remove-background model is a stand-in with ISNet's input and output (NCHW 1024², a mask
 * in 0..1) that answers "all foreground" for almost no compute: the pipeline around the model then runs at its own
 * ceiling. It exists only for the benchmark; the worker never ships it. The upscalers are the real registry's.
 */
export function constantMaskModelsDir(realModelsDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lumina-bench-models-'));
  const bytes = encodeOnnxModel({
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'lumina-bench',
    producerVersion: '1',
    docString: 'A constant all-foreground mask with ISNet-medium input and output shapes (benchmark stand-in).',
    graph: {
      name: 'constant-mask',
      // One channel of the input times zero plus one: shaped like the input, computed in one cheap pass.
      nodes: [
        {
          name: 'first-channel',
          opType: 'Slice',
          inputs: ['input', 'starts', 'ends', 'axes'],
          outputs: ['channel'],
          attributes: [],
        },
        { name: 'zero', opType: 'Mul', inputs: ['channel', 'zero'], outputs: ['zeros'], attributes: [] },
        { name: 'one', opType: 'Add', inputs: ['zeros', 'one'], outputs: ['output'], attributes: [] },
      ],
      initializers: [
        { name: 'starts', dataType: 'int64', dims: [1], data: BigInt64Array.from([0n]) },
        { name: 'ends', dataType: 'int64', dims: [1], data: BigInt64Array.from([1n]) },
        { name: 'axes', dataType: 'int64', dims: [1], data: BigInt64Array.from([1n]) },
        { name: 'zero', dataType: 'float', dims: [], data: Float32Array.from([0]) },
        { name: 'one', dataType: 'float', dims: [], data: Float32Array.from([1]) },
      ],
      inputs: [{ name: 'input', dims: [1, 3, 1024, 1024] }],
      outputs: [{ name: 'output', dims: [1, 1, 1024, 1024] }],
    },
  });
  writeFileSync(join(dir, 'constant-mask.onnx'), bytes);
  const registry = JSON.parse(readFileSync(join(realModelsDir, 'registry.json'), 'utf8')) as {
    models: Array<Record<string, unknown> & { id: string; operation: string; file: string }>;
  };
  const isnet = registry.models.find((m) => m.operation === 'remove-background');
  if (!isnet) throw new Error('the registry has no remove-background model to stand in for');
  const standIn = {
    ...isnet,
    id: 'constant-mask',
    file: 'constant-mask.onnx',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    licence: 'MIT',
    source: { kind: 'manual', upstream: 'bench/support/constant-mask-model.ts' },
  };
  const upscalers = registry.models.filter((m) => m.operation === 'upscale');
  for (const m of upscalers) symlinkSync(join(realModelsDir, m.file), join(dir, m.file));
  writeFileSync(join(dir, 'registry.json'), JSON.stringify({ models: [standIn, ...upscalers] }));
  return dir;
}
