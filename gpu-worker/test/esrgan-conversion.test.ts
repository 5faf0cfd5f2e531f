import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, readModelFile, type UpscaleModelEntry } from '../src/index.ts';
import { convertTfjsLayersToOnnx } from '../tools/convert/convert-tfjs-layers-to-onnx.ts';
import { convertTfjsPackageModel, findInstalledPackage } from '../tools/convert/convert-tfjs-package-model.ts';
import { TfjsModelJson } from '../tools/convert/tfjs-model-json.ts';
import { fixture, modelsDir } from './support/fixtures.ts';

const gpuWorkerDir = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const registry = await loadModelRegistry(modelsDir);
const upscalers = registry.models.filter((m): m is UpscaleModelEntry => m.operation === 'upscale');

/** UpscalerJS's own model definition (ranges, and `setup` registering thick's custom layers). */
interface UpscalerModelDefinition {
  readonly scale: number;
  readonly inputRange: [number, number];
  readonly outputRange: [number, number];
  readonly setup?: (tfjs: typeof tf) => void;
}

function upscalerDefinition(model: UpscaleModelEntry): UpscalerModelDefinition {
  const name = model.source.kind === 'tfjs-layers' ? model.source.package.replace(/@[^@]+$/, '') : '';
  return require(`${name}/${model.output.scale}x`);
}

/** The original layers model, read from node_modules through a custom IOHandler (no network). */
async function loadOriginal(model: UpscaleModelEntry): Promise<tf.LayersModel> {
  if (model.source.kind !== 'tfjs-layers') throw new Error(`${model.id} is not a tfjs-layers model`);
  const modelJsonPath = join(findInstalledPackage(model.source.package, gpuWorkerDir), model.source.path);
  const modelJson = TfjsModelJson.parse(JSON.parse(readFileSync(modelJsonPath, 'utf8')));
  const handler: tf.io.IOHandler = {
    async load() {
      const shards = modelJson.weightsManifest.flatMap((group) =>
        group.paths.map((path) => readFileSync(join(modelJsonPath, '..', path))),
      );
      const joined = new Uint8Array(Buffer.concat(shards));
      return {
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[],
        weightData: joined.buffer,
      };
    },
  };
  return tf.loadLayersModel(handler);
}

/** A 32×32 RGB crop of a real photo (the baboon's fur and eye: edges and texture), 0–255 per channel. */
async function cropPixels(): Promise<{ pixels: Uint8Array; size: number }> {
  const size = 32;
  const { data } = await sharp(fixture('baboon.jpg'))
    .extract({ left: 300, top: 90, width: size, height: size })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data), size };
}

const maxDiffs = new Map<string, number>();

beforeAll(async () => {
  // In Node the wasm backend reads its .wasm binaries from a file-system prefix.
  setWasmPaths(`${join(findInstalledPackage('@tensorflow/tfjs-backend-wasm@4.11.0', gpuWorkerDir), 'dist')}/`);
  await tf.setBackend('wasm');
  await tf.ready();
  expect(tf.getBackend()).toBe('wasm');
});

afterAll(() => {
  const summary = [...maxDiffs].map(([id, diff]) => `${id}: ${diff.toFixed(3)}`).join(', ');
  if (summary !== '') console.info(`max |onnx - tfjs| in 8-bit levels: ${summary}`);
});

describe('ESRGAN converted from TensorFlow.js to ONNX', () => {
  it('registers every variant the install step converts', () => {
    expect(upscalers.map((m) => m.id)).toEqual(
      ['slim', 'medium', 'thick'].flatMap((variant) => [2, 3, 4, 8].map((scale) => `esrgan-${variant}-x${scale}`)),
    );
  });

  it.each(upscalers.map((m) => [m.id, m] as const))(
    '%s matches TensorFlow.js to within one 8-bit level',
    async (_id, model) => {
      const definition = upscalerDefinition(model);
      expect(model.input.range).toEqual(definition.inputRange);
      expect(model.output.range).toEqual(definition.outputRange);
      expect(model.output.scale).toBe(definition.scale);
      definition.setup?.(tf);

      const { pixels, size } = await cropPixels();
      const [, high] = model.input.range;
      const toModel = high / 255;
      const nhwc = Float32Array.from(pixels, (v) => v * toModel);
      const nchw = new Float32Array(3 * size * size);
      for (let i = 0; i < size * size; i++)
        for (let c = 0; c < 3; c++) nchw[c * size * size + i] = nhwc[i * 3 + c] ?? 0;

      const original = await loadOriginal(model);
      const expectedTensor = tf.tidy(() => original.predict(tf.tensor4d(nhwc, [1, size, size, 3])) as tf.Tensor);
      const expected = (await expectedTensor.data()) as Float32Array;
      expectedTensor.dispose();
      original.dispose();

      const session = await InferenceSession.create(await readModelFile(registry, model));
      const results = await session.run({ input: new Tensor('float32', nchw, [1, 3, size, size]) });
      await session.release();
      const output = results.output;
      const outSize = size * model.output.scale;
      expect(output?.dims).toEqual([1, 3, outSize, outSize]);
      const actual = output?.data as Float32Array;

      // TensorFlow.js leaves the output unclipped; the ONNX model clips, as a consumer of either must.
      const [outLow, outHigh] = model.output.range;
      const to8bit = 255 / outHigh;
      let maxDiff = 0;
      for (let i = 0; i < outSize * outSize; i++) {
        for (let c = 0; c < 3; c++) {
          const want = Math.min(outHigh, Math.max(outLow, expected[i * 3 + c] ?? Number.NaN));
          const got = actual[c * outSize * outSize + i] ?? Number.NaN;
          maxDiff = Math.max(maxDiff, Math.abs(got - want) * to8bit);
        }
      }
      maxDiffs.set(model.id, maxDiff);
      expect(maxDiff).toBeLessThanOrEqual(1);
    },
  );

  it('converts to the same bytes every time, so the install step can pin their sha256', async () => {
    for (const id of ['esrgan-slim-x2', 'esrgan-thick-x4']) {
      const model = upscalers.find((m) => m.id === id);
      if (model?.source.kind !== 'tfjs-layers') throw new Error(`${id} is not registered as a tfjs-layers model`);
      const bytes = await convertTfjsPackageModel({
        packageSpec: model.source.package,
        path: model.source.path,
        outputRange: model.output.range,
        searchFrom: gpuWorkerDir,
      });
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(model.sha256);
    }
  });

  it('refuses a layer class it does not know, naming the layer and the class', () => {
    const modelJson = TfjsModelJson.parse({
      format: 'layers-model',
      modelTopology: {
        model_config: {
          class_name: 'Functional',
          config: {
            layers: [
              { class_name: 'InputLayer', name: 'in', config: {}, inbound_nodes: [] },
              { class_name: 'BatchNormalization', name: 'bn', config: {}, inbound_nodes: [[['in', 0, 0, {}]]] },
            ],
            input_layers: [['in', 0, 0]],
            output_layers: [['bn', 0, 0]],
          },
        },
      },
      weightsManifest: [],
    });
    expect(() =>
      convertTfjsLayersToOnnx({ modelJson, weights: new Map(), outputRange: [0, 1], description: 'unknown layer' }),
    ).toThrow(/layer bn: the converter does not know the layer class BatchNormalization/);
  });
});
