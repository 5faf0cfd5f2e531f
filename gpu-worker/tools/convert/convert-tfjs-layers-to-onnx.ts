import { z } from 'zod';
import { encodeOnnxModel } from './encode-onnx-model.ts';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnx-model.ts';
import type { NamedWeight } from './read-tfjs-weights.ts';
import type { TfjsLayer, TfjsModelJson } from './tfjs-model-json.ts';

export interface ConvertOptions {
  readonly modelJson: TfjsModelJson;
  readonly weights: ReadonlyMap<string, NamedWeight>;
  /** The model's valid output range; the graph ends with a Clip to it. */
  readonly outputRange: readonly [number, number];
  /** Recorded in the model's doc_string, e.g. the package and path it came from. */
  readonly description: string;
}

export const onnxInputName = 'input';
export const onnxOutputName = 'output';

// NHWC axis → NCHW axis, after normalising negative axes against rank 4.
const nchwAxis = [0, 2, 3, 1] as const;

const pair = z.tuple([z.number().int().positive(), z.number().int().positive()]);
const Activation = z.enum(['linear', 'relu', 'sigmoid', 'tanh']);

const Conv2DConfig = z.object({
  filters: z.number().int().positive(),
  kernel_size: pair,
  strides: pair,
  padding: z.enum(['same', 'valid']),
  data_format: z.literal('channels_last'),
  dilation_rate: pair,
  groups: z.number().int().positive().default(1),
  activation: Activation,
  use_bias: z.boolean(),
});
const ActivationConfig = z.object({ activation: Activation });
const ReLUConfig = z.object({
  max_value: z.null().optional(),
  negative_slope: z.literal(0).optional(),
  threshold: z.literal(0).optional(),
});
const LeakyReLUConfig = z.object({ alpha: z.number().default(0.3) });
const ConcatenateConfig = z.object({ axis: z.number().int().min(-4).max(3) });
const UpSampling2DConfig = z.object({
  size: pair,
  data_format: z.literal('channels_last'),
  interpolation: z.literal('nearest').default('nearest'),
});
// UpscalerJS's MultiplyBeta multiplies by a constant 0.2 whatever its config says; another value in a config
// would make the original and the conversion disagree, so it is refused rather than guessed at.
const MultiplyBetaConfig = z.object({ beta: z.literal(0.2) });
const PixelShuffleConfig = z.object({ scale: z.number().int().positive() });

/** Builds the ONNX graph one layer at a time; tensor names are layer names. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  constructor(private readonly weights: ReadonlyMap<string, NamedWeight>) {}

  /** Adds a node and returns the name of its output tensor. */
  node(opType: string, name: string, inputs: string[], output: string, attributes: OnnxAttribute[] = []): string {
    this.nodes.push({ name, opType, inputs, outputs: [output], attributes });
    return output;
  }

  floatConstant(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({ name, dataType: 'float', dims, data });
    return name;
  }

  weight(layer: string, kind: string): NamedWeight {
    const weight = this.weights.get(`${layer}/${kind}`);
    if (!weight) throw new Error(`layer ${layer}: weight ${layer}/${kind} is missing from the weights manifest`);
    return weight;
  }

  activation(layer: string, activation: z.infer<typeof Activation>, input: string, output: string): string {
    const opType = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', linear: 'Identity' }[activation];
    return this.node(opType, `${layer}/${activation}`, [input], output);
  }
}

function parseConfig<T extends z.ZodType>(schema: T, layer: TfjsLayer): z.infer<T> {
  const parsed = schema.safeParse(layer.config);
  if (!parsed.success) {
    throw new Error(`layer ${layer.name} (${layer.class_name}): unsupported config:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** [kh, kw, in, out] (TensorFlow) → [out, in, kh, kw] (ONNX). */
function transposeKernel(kernel: NamedWeight): { dims: number[]; data: Float32Array } {
  const [kh, kw, cin, cout] = kernel.shape;
  if (kh === undefined || kw === undefined || cin === undefined || cout === undefined || kernel.shape.length !== 4) {
    throw new Error(`a Conv2D kernel must be 4-D, got [${kernel.shape.join(', ')}]`);
  }
  const out = new Float32Array(kernel.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          out[((o * cin + i) * kh + y) * kw + x] = kernel.data[((y * kw + x) * cin + i) * cout + o] ?? 0;
        }
  return { dims: [cout, cin, kh, kw], data: out };
}

function convertConv2D(g: GraphBuilder, layer: TfjsLayer, input: string): string {
  const config = parseConfig(Conv2DConfig, layer);
  const kernel = transposeKernel(g.weight(layer.name, 'kernel'));
  const inputs = [input, g.floatConstant(`${layer.name}/kernel`, kernel.dims, kernel.data)];
  if (config.use_bias) {
    const bias = g.weight(layer.name, 'bias');
    inputs.push(g.floatConstant(`${layer.name}/bias`, [...bias.shape], bias.data));
  }
  const [kh, kw] = config.kernel_size;
  const [dh, dw] = config.dilation_rate;
  const attributes: OnnxAttribute[] = [
    { name: 'dilations', type: 'ints', value: [dh, dw] },
    { name: 'group', type: 'int', value: config.groups },
    { name: 'kernel_shape', type: 'ints', value: [kh, kw] },
    { name: 'strides', type: 'ints', value: config.strides },
  ];
  if (config.padding === 'same') {
    if (config.strides[0] === 1 && config.strides[1] === 1) {
      // TensorFlow puts the odd pixel of an even kernel's padding after the image, as ONNX's SAME_UPPER does.
      const totalH = dh * (kh - 1);
      const totalW = dw * (kw - 1);
      const top = Math.floor(totalH / 2);
      const left = Math.floor(totalW / 2);
      attributes.push({ name: 'pads', type: 'ints', value: [top, left, totalH - top, totalW - left] });
    } else {
      // With strides the padding depends on the input size, which is dynamic here.
      attributes.push({ name: 'auto_pad', type: 'string', value: 'SAME_UPPER' });
    }
  }
  const convOutput = config.activation === 'linear' ? layer.name : `${layer.name}/conv`;
  g.node('Conv', layer.name, inputs, convOutput, attributes);
  return config.activation === 'linear'
    ? convOutput
    : g.activation(layer.name, config.activation, convOutput, layer.name);
}

/** Adds the nodes computing one layer and returns the name of the tensor holding its output. */
function convertLayer(g: GraphBuilder, layer: TfjsLayer, inputs: string[]): string {
  const only = (): string => {
    const [input] = inputs;
    if (input === undefined || inputs.length !== 1) {
      throw new Error(`layer ${layer.name} (${layer.class_name}) takes one input, got ${inputs.length}`);
    }
    return input;
  };
  switch (layer.class_name) {
    case 'Conv2D':
      return convertConv2D(g, layer, only());
    case 'Activation':
      return g.activation(layer.name, parseConfig(ActivationConfig, layer).activation, only(), layer.name);
    case 'ReLU':
      parseConfig(ReLUConfig, layer);
      return g.node('Relu', layer.name, [only()], layer.name);
    case 'LeakyReLU': {
      const { alpha } = parseConfig(LeakyReLUConfig, layer);
      return g.node('LeakyRelu', layer.name, [only()], layer.name, [{ name: 'alpha', type: 'float', value: alpha }]);
    }
    case 'Concatenate': {
      const { axis } = parseConfig(ConcatenateConfig, layer);
      const value = nchwAxis[(axis + 4) % 4] ?? 1;
      return g.node('Concat', layer.name, inputs, layer.name, [{ name: 'axis', type: 'int', value }]);
    }
    case 'Add':
      if (inputs.length < 2) throw new Error(`layer ${layer.name} (Add) needs at least two inputs`);
      return g.node(inputs.length === 2 ? 'Add' : 'Sum', layer.name, inputs, layer.name);
    case 'UpSampling2D': {
      const [sh, sw] = parseConfig(UpSampling2DConfig, layer).size;
      // Keras repeats each pixel: output[y] = input[floor(y / s)], which is exactly this Resize.
      const scales = g.floatConstant(`${layer.name}/scales`, [4], Float32Array.from([1, 1, sh, sw]));
      return g.node('Resize', layer.name, [only(), '', scales], layer.name, [
        { name: 'coordinate_transformation_mode', type: 'string', value: 'asymmetric' },
        { name: 'mode', type: 'string', value: 'nearest' },
        { name: 'nearest_mode', type: 'string', value: 'floor' },
      ]);
    }
    case 'MultiplyBeta': {
      // UpscalerJS's custom residual scaling layer (`tf.mul(x, beta)`).
      const { beta } = parseConfig(MultiplyBetaConfig, layer);
      const factor = g.floatConstant(`${layer.name}/beta`, [], Float32Array.from([beta]));
      return g.node('Mul', layer.name, [only(), factor], layer.name);
    }
    default: {
      const shuffle = /^PixelShuffle(\d+)x$/.exec(layer.class_name);
      if (shuffle) {
        // UpscalerJS's custom layer calls tf.depthToSpace(x, scale, 'NHWC'), whose channel order
        // (depth-column-row) is ONNX DepthToSpace's DCR mode.
        const { scale } = parseConfig(PixelShuffleConfig, layer);
        if (String(scale) !== shuffle[1])
          throw new Error(`layer ${layer.name}: class ${layer.class_name} has scale ${scale}`);
        return g.node('DepthToSpace', layer.name, [only()], layer.name, [
          { name: 'blocksize', type: 'int', value: scale },
          { name: 'mode', type: 'string', value: 'DCR' },
        ]);
      }
      throw new Error(
        `layer ${layer.name}: the converter does not know the layer class ${layer.class_name}; ` +
          'it handles InputLayer, Conv2D, Activation, ReLU, LeakyReLU, Concatenate, Add, UpSampling2D, ' +
          'MultiplyBeta and PixelShuffle<n>x',
      );
    }
  }
}

/** Layers ordered so each comes after the layers it reads from. */
function topologicalOrder(layers: readonly TfjsLayer[]): TfjsLayer[] {
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: TfjsLayer[] = [];
  const visit = (layer: TfjsLayer): void => {
    const seen = state.get(layer.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`layer ${layer.name} is part of a cycle`);
    state.set(layer.name, 'visiting');
    for (const [source] of layer.inbound_nodes.flat()) {
      const from = byName.get(source);
      if (!from) throw new Error(`layer ${layer.name} reads from unknown layer ${source}`);
      visit(from);
    }
    state.set(layer.name, 'done');
    ordered.push(layer);
  };
  for (const layer of layers) visit(layer);
  return ordered;
}

/**
 * Translates a TensorFlow.js functional layers model (NHWC) into an ONNX model (opset 17, NCHW, dynamic
 * height and width) with one input `input` [1, 3, H, W] and one output `output`, clipped to `outputRange`.
 */
export function convertTfjsLayersToOnnx({ modelJson, weights, outputRange, description }: ConvertOptions): Uint8Array {
  const { layers, input_layers, output_layers } = modelJson.modelTopology.model_config.config;
  const [inputRef] = input_layers;
  const [outputRef] = output_layers;
  if (!inputRef || !outputRef || input_layers.length !== 1 || output_layers.length !== 1) {
    throw new Error('the converter handles models with exactly one input and one output');
  }
  const g = new GraphBuilder(weights);
  const tensorOf = new Map<string, string>();
  for (const layer of topologicalOrder(layers)) {
    if (layer.class_name === 'InputLayer') {
      if (layer.name !== inputRef[0]) throw new Error(`input layer ${layer.name} is not the model's input`);
      tensorOf.set(layer.name, onnxInputName);
      continue;
    }
    const [call, ...more] = layer.inbound_nodes;
    if (!call || more.length > 0) {
      throw new Error(
        `layer ${layer.name} is called ${layer.inbound_nodes.length} times; shared layers are not supported`,
      );
    }
    const inputs = call.map(([source, nodeIndex, tensorIndex]) => {
      const tensor = tensorOf.get(source);
      if (tensor === undefined || nodeIndex !== 0 || tensorIndex !== 0) {
        throw new Error(`layer ${layer.name}: cannot resolve its input ${source}[${nodeIndex}][${tensorIndex}]`);
      }
      return tensor;
    });
    tensorOf.set(layer.name, convertLayer(g, layer, inputs));
  }
  const last = tensorOf.get(outputRef[0]);
  if (last === undefined) throw new Error(`the model's output layer ${outputRef[0]} was not converted`);
  const [low, high] = outputRange;
  const min = g.floatConstant('clip/min', [], Float32Array.from([low]));
  const max = g.floatConstant('clip/max', [], Float32Array.from([high]));
  g.node('Clip', 'clip', [last, min, max], onnxOutputName);

  return encodeOnnxModel({
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'lumina-tfjs-layers-to-onnx',
    producerVersion: '1',
    docString: description,
    graph: {
      name: modelJson.modelTopology.model_config.config.name ?? 'model',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: onnxInputName, dims: [1, 3, 'height', 'width'] }],
      outputs: [{ name: onnxOutputName, dims: [1, 3, 'out_height', 'out_width'] }],
    },
  });
}
