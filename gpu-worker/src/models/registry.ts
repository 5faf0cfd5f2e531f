import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UpscaleModel } from '@lumina/shared';
import { z } from 'zod';
import { ExecutionProvider } from '../config.ts';

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);

const valueRange = z
  .tuple([z.number(), z.number()])
  .refine(([low, high]) => high > low, 'range must be [low, high] with high > low');

/** How an image becomes the model's input tensor: resize to width×height, then `(v - mean) / std` per channel. */
export const ModelInputSpec = z.strictObject({
  name: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  layout: z.literal('NCHW'),
  mean: rgbTriple,
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
});
export type ModelInputSpec = z.infer<typeof ModelInputSpec>;

/** The one output the worker fetches and how to read it: an alpha mask whose values span `range`. */
export const ModelOutputSpec = z.strictObject({
  name: z.string().min(1),
  kind: z.literal('alpha-mask'),
  range: valueRange,
});
export type ModelOutputSpec = z.infer<typeof ModelOutputSpec>;

/** An upscaler takes any size: RGB planes whose 0–255 pixel values are mapped linearly onto `range`. */
export const UpscaleInputSpec = z.strictObject({
  name: z.string().min(1),
  layout: z.literal('NCHW'),
  range: valueRange,
});
export type UpscaleInputSpec = z.infer<typeof UpscaleInputSpec>;

/** An RGB image `scale` times the input's size, its values in `range` (the model clips to it). */
export const UpscaleOutputSpec = z.strictObject({
  name: z.string().min(1),
  kind: z.literal('image'),
  scale: z.number().int().min(2),
  range: valueRange,
});
export type UpscaleOutputSpec = z.infer<typeof UpscaleOutputSpec>;

/**
 * Where the weights come from: assembled at install time from an npm package's chunks, converted at install
 * time from a TensorFlow.js layers model in an installed npm package, or dropped in by an operator.
 */
const ModelSource = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('npm-chunks'),
    package: z.string().min(1),
    resources: z.string().min(1),
    entry: z.string().min(1),
    upstream: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('tfjs-layers'),
    /** `name@version` of a dependency of this workspace; the installed version must match. */
    package: z.string().regex(/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+@\d+\.\d+\.\d+$/, 'package is name@x.y.z'),
    /** model.json inside the package; its weight shards sit beside it. */
    path: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+\.json$/, 'path is a model.json inside the package')
      .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), 'path stays inside the package'),
    upstream: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('widened'),
    /** The registered float16 model whose float32 form this is (`gpu-worker/tools/convert/widen-float16-model.ts`). */
    from: z.string().min(1),
    /** The graph outputs kept; the rest, and the nodes only they need, are dropped. */
    outputs: z.array(z.string().min(1)).min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('manual'), upstream: z.string().min(1) }),
]);

const entryFields = {
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'a model id is lowercase letters, digits, dots and dashes'),
  /** A file name inside the models folder, never a path out of it. */
  file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a model file is a plain file name inside the models folder'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lowercase hex digits'),
  licence: z.string().min(1),
  source: ModelSource,
  /** The execution providers this file is for (all when absent): a float32 copy serves the CPU, float16 a GPU. */
  providers: z.array(ExecutionProvider).min(1).optional(),
};

export const MaskModelEntry = z.strictObject({
  ...entryFields,
  operation: z.literal('remove-background'),
  input: ModelInputSpec,
  output: ModelOutputSpec,
});
export type MaskModelEntry = z.infer<typeof MaskModelEntry>;

export const UpscaleModelEntry = z.strictObject({
  ...entryFields,
  operation: z.literal('upscale'),
  /** Which of the API's `model` choices this serves; another upscaler (e.g. Real-ESRGAN) can take a size's place. */
  size: UpscaleModel,
  input: UpscaleInputSpec,
  output: UpscaleOutputSpec,
});
export type UpscaleModelEntry = z.infer<typeof UpscaleModelEntry>;

/** One registered model; its operation says how its input and output are described. */
export const ModelEntry = z.discriminatedUnion('operation', [MaskModelEntry, UpscaleModelEntry]);
export type ModelEntry = z.infer<typeof ModelEntry>;
export type ModelOperation = ModelEntry['operation'];

const RegistryFile = z.strictObject({
  models: z
    .array(ModelEntry)
    .min(1)
    .refine((models) => new Set(models.map((m) => m.id)).size === models.length, 'model ids must be unique')
    .refine(
      (models) => models.every(({ source }) => source.kind !== 'widened' || models.some((m) => m.id === source.from)),
      'a widened model names a registered model in `from`',
    ),
});

export interface ModelRegistry {
  /** The folder holding `registry.json` and the model files it names. */
  readonly dir: string;
  readonly models: readonly ModelEntry[];
}

/** Reads and validates `<dir>/registry.json`. Models are data: adding one is an entry here, not a code branch. */
export async function loadModelRegistry(dir: string): Promise<ModelRegistry> {
  const path = join(dir, 'registry.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read the model registry ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = RegistryFile.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid model registry ${path}:\n${z.prettifyError(parsed.error)}`);
  return Object.freeze({ dir, models: parsed.data.models });
}

/**
 * The first registered model for an operation on this execution provider; the registry's order is the
 * operator's preference.
 */
export function modelFor<O extends ModelOperation>(
  registry: ModelRegistry,
  operation: O,
  provider: ExecutionProvider,
): Extract<ModelEntry, { operation: O }> {
  const model = registry.models.find(
    (m): m is Extract<ModelEntry, { operation: O }> =>
      m.operation === operation && (m.providers === undefined || m.providers.includes(provider)),
  );
  if (!model) throw new Error(`the model registry in ${registry.dir} has no model for ${operation} on ${provider}`);
  return model;
}

/**
 * The model's bytes, refused unless they hash to the pinned sha256: a truncated download or a swapped file
 * must stop the worker at start rather than produce wrong masks. The same bytes that were hashed are the
 * ones handed to onnxruntime, so the file cannot change in between.
 */
export async function readModelFile(registry: ModelRegistry, model: ModelEntry): Promise<Uint8Array> {
  const path = join(registry.dir, model.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`model ${model.id}: cannot read ${path} (${reason}); run \`npm install\` to prepare the models`);
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== model.sha256) {
    throw new Error(
      `model ${model.id}: refusing ${path}: its sha256 is ${actual} but the registry pins ${model.sha256}`,
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
