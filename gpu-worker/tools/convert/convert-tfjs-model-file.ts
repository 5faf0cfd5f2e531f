import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { convertTfjsLayersToOnnx } from './convert-tfjs-layers-to-onnx.ts';
import { readTfjsWeights } from './read-tfjs-weights.ts';
import { TfjsModelJson } from './tfjs-model-json.ts';

export interface ConvertTfjsModelFileOptions {
  /** A TensorFlow.js model.json; its weight shards sit beside it. */
  readonly modelJsonPath: string;
  readonly outputRange: readonly [number, number];
  readonly description: string;
}

/** Reads a TensorFlow.js layers model from disk (model.json plus shards) and returns the ONNX bytes. */
export async function convertTfjsModelFile(options: ConvertTfjsModelFileOptions): Promise<Uint8Array> {
  const { modelJsonPath } = options;
  const parsed = TfjsModelJson.safeParse(JSON.parse(await readFile(modelJsonPath, 'utf8')));
  if (!parsed.success) throw new Error(`${modelJsonPath} is not a supported model:\n${z.prettifyError(parsed.error)}`);
  const dir = dirname(modelJsonPath);
  const weights = await readTfjsWeights(parsed.data.weightsManifest, async (path) => {
    if (path.includes('..') || path.startsWith('/'))
      throw new Error(`${modelJsonPath}: shard path ${path} leaves its folder`);
    return new Uint8Array(await readFile(join(dir, path)));
  });
  return convertTfjsLayersToOnnx({ ...options, modelJson: parsed.data, weights });
}
