import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-model.ts';

// A hand-written protobuf encoder for the handful of ONNX messages the converter needs. Field numbers are
// those of onnx/onnx.proto (proto2; repeated scalars are written unpacked, which every parser accepts). It is
// ~100 lines against a dependency (protobufjs plus a generated ONNX schema) that would be larger than the
// converter itself, and it writes fields in one fixed order, so the same model always gives the same bytes.

const wireVarint = 0;
const wireFixed32 = 5;
const wireBytes = 2;

const textEncoder = new TextEncoder();

class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private rawVarint(value: bigint): void {
    // Negative int64s are written as their 64-bit two's complement, ten bytes long, as protobuf requires.
    let rest = BigInt.asUintN(64, value);
    const bytes: number[] = [];
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      bytes.push(rest === 0n ? low : low | 0x80);
    } while (rest !== 0n);
    this.push(Uint8Array.from(bytes));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(BigInt((field << 3) | wire));
  }

  varint(field: number, value: number | bigint): this {
    this.tag(field, wireVarint);
    this.rawVarint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, wireFixed32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, wireBytes);
    this.rawVarint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

const attributeType = { float: 1, int: 2, string: 3, ints: 7 } as const;
const tensorDataType = { float: 1, int64: 7 } as const;

function encodeAttribute(attribute: OnnxAttribute): Uint8Array {
  const w = new ProtoWriter().string(1, attribute.name);
  if (attribute.type === 'float') w.float(2, attribute.value);
  else if (attribute.type === 'int') w.varint(3, attribute.value);
  else if (attribute.type === 'string') w.string(4, attribute.value);
  else for (const value of attribute.value) w.varint(8, value);
  return w.varint(20, attributeType[attribute.type]).finish();
}

function encodeNode(node: OnnxNode): Uint8Array {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name).string(4, node.opType);
  for (const attribute of node.attributes) w.bytes(5, encodeAttribute(attribute));
  return w.finish();
}

function encodeTensor(tensor: OnnxTensor): Uint8Array {
  const w = new ProtoWriter();
  for (const dim of tensor.dims) w.varint(1, dim);
  w.varint(2, tensorDataType[tensor.dataType]).string(8, tensor.name);
  // raw_data is little-endian; copy through a DataView so a big-endian host writes the same bytes.
  const raw = new Uint8Array(tensor.data.length * tensor.data.BYTES_PER_ELEMENT);
  const view = new DataView(raw.buffer);
  if (tensor.dataType === 'float') {
    for (let i = 0; i < tensor.data.length; i++) view.setFloat32(i * 4, tensor.data[i] ?? 0, true);
  } else {
    for (let i = 0; i < tensor.data.length; i++) view.setBigInt64(i * 8, tensor.data[i] ?? 0n, true);
  }
  return w.bytes(9, raw).finish();
}

function encodeValueInfo(info: OnnxValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const dim of info.dims) {
    const dimension = new ProtoWriter();
    if (typeof dim === 'number') dimension.varint(1, dim);
    else dimension.string(2, dim);
    shape.bytes(1, dimension.finish());
  }
  const tensorType = new ProtoWriter().varint(1, tensorDataType.float).bytes(2, shape.finish()).finish();
  const type = new ProtoWriter().bytes(1, tensorType).finish();
  return new ProtoWriter().string(1, info.name).bytes(2, type).finish();
}

function encodeGraph(graph: OnnxGraph): Uint8Array {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.bytes(1, encodeNode(node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.bytes(5, encodeTensor(tensor));
  for (const input of graph.inputs) w.bytes(11, encodeValueInfo(input));
  for (const output of graph.outputs) w.bytes(12, encodeValueInfo(output));
  return w.finish();
}

/** Serialises an ONNX model to protobuf bytes, deterministically. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const opset = new ProtoWriter().string(1, '').varint(2, model.opsetVersion).finish();
  return new ProtoWriter()
    .varint(1, model.irVersion)
    .string(2, model.producerName)
    .string(3, model.producerVersion)
    .string(6, model.docString)
    .bytes(7, encodeGraph(model.graph))
    .bytes(8, opset)
    .finish();
}
