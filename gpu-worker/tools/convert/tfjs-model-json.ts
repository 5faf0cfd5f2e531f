import { z } from 'zod';

/** One input of a layer call: `[layerName, nodeIndex, tensorIndex, kwargs?]`. */
const InboundTensor = z.tuple([z.string(), z.number().int(), z.number().int()]).rest(z.unknown());

/** A layer of a functional Keras model as TensorFlow.js serialises it. `config` is read per class later. */
export const TfjsLayer = z.object({
  class_name: z.string().min(1),
  name: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  inbound_nodes: z.array(z.array(InboundTensor)),
});
export type TfjsLayer = z.infer<typeof TfjsLayer>;

const WeightQuantization = z.object({
  dtype: z.enum(['uint8', 'uint16', 'float16']),
  scale: z.number().optional(),
  min: z.number().optional(),
  original_dtype: z.string().optional(),
});

export const TfjsWeightSpec = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.string(),
  quantization: WeightQuantization.optional(),
});
export type TfjsWeightSpec = z.infer<typeof TfjsWeightSpec>;

/** A group of weights stored back to back across the shards named in `paths`, in order. */
export const TfjsWeightGroup = z.object({
  paths: z.array(z.string().min(1)).min(1),
  weights: z.array(TfjsWeightSpec),
});
export type TfjsWeightGroup = z.infer<typeof TfjsWeightGroup>;

const ModelConfig = z.object({
  class_name: z.enum(['Functional', 'Model']),
  config: z.object({
    name: z.string().optional(),
    layers: z.array(TfjsLayer).min(1),
    input_layers: z.array(InboundTensor).min(1),
    output_layers: z.array(InboundTensor).min(1),
  }),
});

/** A TensorFlow.js `layers-model` model.json holding a functional model. */
export const TfjsModelJson = z.object({
  format: z.literal('layers-model'),
  modelTopology: z.object({ model_config: ModelConfig }),
  weightsManifest: z.array(TfjsWeightGroup),
});
export type TfjsModelJson = z.infer<typeof TfjsModelJson>;
