import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModelRegistry, modelFor, readModelFile } from '../src/index.ts';
import { modelsDir } from './support/fixtures.ts';

const realEntry = JSON.parse(readFileSync(join(modelsDir, 'registry.json'), 'utf8')).models.find(
  (m: { id: string }) => m.id === 'isnet-medium',
);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A models folder holding one small file and a registry entry for it. */
function modelsFolder(entry: Record<string, unknown>, fileBytes = Buffer.from('not really onnx')): string {
  const dir = mkdtempSync(join(tmpdir(), 'lumina-models-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'tiny.onnx'), fileBytes);
  writeFileSync(
    join(dir, 'registry.json'),
    JSON.stringify({ models: [{ ...realEntry, file: 'tiny.onnx', ...entry }] }),
  );
  return dir;
}

describe('model registry', () => {
  it('describes the shipped ISNet model as data: float16 for a GPU, its float32 copy for the CPU', async () => {
    const registry = await loadModelRegistry(modelsDir);
    const described = {
      input: { name: 'input', width: 1024, height: 1024, mean: [128, 128, 128], std: [256, 256, 256] },
      output: { name: 'output', kind: 'alpha-mask', range: [0, 1] },
    };
    expect(modelFor(registry, 'remove-background', 'cuda')).toMatchObject({ id: 'isnet-medium', ...described });
    expect(modelFor(registry, 'remove-background', 'cpu')).toMatchObject({
      id: 'isnet-medium-fp32',
      providers: ['cpu'],
      source: { kind: 'widened', from: 'isnet-medium', outputs: ['output'] },
      ...described,
    });
  });

  it('refuses a widened model whose source is not registered', async () => {
    const dir = modelsFolder({ id: 'copy', source: { kind: 'widened', from: 'nowhere' } });
    await expect(loadModelRegistry(dir)).rejects.toThrow(/widened model names a registered model/);
  });

  it('describes the ESRGAN upscalers converted at install time, with their scale and value range', async () => {
    const registry = await loadModelRegistry(modelsDir);
    expect(modelFor(registry, 'upscale', 'cpu')).toMatchObject({
      id: 'esrgan-slim-x2',
      input: { name: 'input', layout: 'NCHW', range: [0, 255] },
      output: { name: 'output', kind: 'image', scale: 2, range: [0, 255] },
      source: { kind: 'tfjs-layers', package: '@upscalerjs/esrgan-slim@1.0.0', path: 'models/x2/model.json' },
    });
    expect(registry.models.find((m) => m.id === 'esrgan-thick-x4')).toMatchObject({
      input: { range: [0, 1] },
      output: { scale: 4, range: [0, 1] },
    });
  });

  it('refuses a tfjs-layers model path that leaves its package', async () => {
    const dir = modelsFolder({
      source: { kind: 'tfjs-layers', package: '@upscalerjs/esrgan-slim@1.0.0', path: '../../etc/model.json' },
    });
    await expect(loadModelRegistry(dir)).rejects.toThrow(/source\.path/);
  });

  it('refuses a model file whose sha256 does not match, naming the file and both hashes', async () => {
    const pinned = 'a'.repeat(64);
    const bytes = Buffer.from('these are not the weights you pinned');
    const actual = createHash('sha256').update(bytes).digest('hex');
    const dir = modelsFolder({ sha256: pinned }, bytes);
    const registry = await loadModelRegistry(dir);

    const failure = readModelFile(registry, modelFor(registry, 'remove-background', 'cpu'));
    await expect(failure).rejects.toThrow(join(dir, 'tiny.onnx'));
    await expect(failure).rejects.toThrow(actual);
    await expect(failure).rejects.toThrow(pinned);
  });

  it('hands out the bytes of a file whose sha256 matches', async () => {
    const bytes = Buffer.from('pinned bytes');
    const dir = modelsFolder({ sha256: createHash('sha256').update(bytes).digest('hex') }, bytes);
    const registry = await loadModelRegistry(dir);
    expect(Buffer.from(await readModelFile(registry, modelFor(registry, 'remove-background', 'cpu')))).toEqual(bytes);
  });

  it('says which field of an entry is wrong', async () => {
    const dir = modelsFolder({ input: { ...realEntry.input, std: [256, 0, 256] } });
    await expect(loadModelRegistry(dir)).rejects.toThrow(/input\.std/);
  });

  it('refuses a model file name that points outside the models folder', async () => {
    const dir = modelsFolder({ file: '../elsewhere.onnx' });
    await expect(loadModelRegistry(dir)).rejects.toThrow(/file/);
  });
});
