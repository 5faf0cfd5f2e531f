// Rewrites an ONNX model so its first dimension is free: a model exported with batch 1 fixed (ISNet is) then
// takes a batch of any size, as long as nothing inside the graph pins it. Only the few protobuf fields on the way
// to the graph's input and output shapes are decoded; every other byte is copied as it is. Field numbers are those
// of onnx/onnx.proto: ModelProto.graph 7; GraphProto.input 11, output 12, value_info 13; ValueInfoProto.type 2;
// TypeProto.tensor_type 1; TypeProto.Tensor.shape 2; TensorShapeProto.dim 1; Dimension.dim_value 1, dim_param 2.

interface Field {
  readonly number: number;
  readonly wire: number;
  /** The whole field, tag included. */
  readonly raw: Uint8Array;
  /** For length-delimited fields: the payload. */
  readonly payload: Uint8Array;
}

function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 1;
  let i = offset;
  for (;;) {
    const byte = bytes[i];
    if (byte === undefined) throw new Error('truncated ONNX protobuf');
    i += 1;
    value += (byte & 0x7f) * shift;
    if (byte < 0x80) return { value, next: i };
    shift *= 128;
  }
}

function* fieldsOf(bytes: Uint8Array): Generator<Field> {
  let offset = 0;
  while (offset < bytes.length) {
    const start = offset;
    const tag = readVarint(bytes, offset);
    const number = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    offset = tag.next;
    let payload: Uint8Array = new Uint8Array(0);
    if (wire === 0) offset = readVarint(bytes, offset).next;
    else if (wire === 1) offset += 8;
    else if (wire === 5) offset += 4;
    else if (wire === 2) {
      const length = readVarint(bytes, offset);
      payload = bytes.subarray(length.next, length.next + length.value);
      offset = length.next + length.value;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    yield { number, wire, raw: bytes.subarray(start, offset), payload };
  }
}

function varintBytes(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** A length-delimited field from its parts; the parts are joined only once, by the caller at the top. */
const message = (number: number, parts: Uint8Array[]): Uint8Array[] => {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return [varintBytes(number * 8 + 2), varintBytes(length), ...parts];
};

/** Replaces the first Dimension of a value's shape with `dim_param: "batch"`, leaving everything else. */
function freeFirstDim(valueInfo: Uint8Array): Uint8Array[] {
  const rewrite = (bytes: Uint8Array, path: readonly number[]): Uint8Array[] => {
    const [here, ...rest] = path;
    const parts: Uint8Array[] = [];
    let done = false;
    for (const field of fieldsOf(bytes)) {
      if (field.number !== here || field.wire !== 2) parts.push(field.raw);
      else if (rest.length > 0) parts.push(...message(field.number, rewrite(field.payload, rest)));
      else if (!done) {
        // The shape's first `dim`: a Dimension holding only the free name.
        parts.push(...message(field.number, message(2, [new TextEncoder().encode('batch')])));
        done = true;
      } else parts.push(field.raw);
    }
    return parts;
  };
  return rewrite(valueInfo, [2, 1, 2, 1]);
}

/** The model's bytes with a free batch dimension on every graph input and output. */
export function freeBatchDim(model: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fieldsOf(model)) {
    if (field.number !== 7 || field.wire !== 2) {
      parts.push(field.raw);
      continue;
    }
    const graph: Uint8Array[] = [];
    for (const g of fieldsOf(field.payload)) {
      if (g.wire === 2 && (g.number === 11 || g.number === 12))
        graph.push(...message(g.number, freeFirstDim(g.payload)));
      // Intermediate shape hints were recorded for batch 1; onnxruntime infers them again without them.
      else if (g.wire === 2 && g.number === 13) continue;
      else graph.push(g.raw);
    }
    parts.push(...message(7, graph));
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
