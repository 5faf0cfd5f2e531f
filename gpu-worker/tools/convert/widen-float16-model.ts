// Rewrites an ONNX model stored in float16 as the same model in float32, at install time, for the CPU.
//
// onnxruntime's CPU provider has no float16 kernels for most operators on x86: it loads a float16 model by
// inserting a Cast to float32 before and after every such node, and casts the float16 weights again on every
// run. The same weights stored as float32 skip all of that (ISNet medium at 1024², 2 threads: about a sixth less
// inference time; `bench/worker-stages.ts` prints both). Every float16 value is exactly representable in float32,
// so the widened weights are the same numbers; only the arithmetic's precision changes (masks within 0.001).
//
// It works on the protobuf wire format directly: each message on the path to a float16 value is decoded into its
// fields, the float16 parts rewritten, and the message written back with every other field's bytes untouched.
// Field numbers are those of onnx/onnx.proto.

const FLOAT = 1;
const FLOAT16 = 10;

/** One protobuf field as read: a varint, or the bytes of a length-delimited / fixed-width field. */
type Field =
  | { readonly field: number; readonly wire: 0; readonly value: bigint }
  | { readonly field: number; readonly wire: 1 | 2 | 5; readonly value: Uint8Array };

function readVarint(bytes: Uint8Array, start: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  let pos = start;
  for (;;) {
    const byte = bytes[pos++];
    if (byte === undefined) throw new Error('truncated varint');
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7n;
  }
}

function decode(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [key, afterKey] = readVarint(bytes, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, next] = readVarint(bytes, afterKey);
      fields.push({ field, wire, value });
      pos = next;
    } else if (wire === 2) {
      const [length, start] = readVarint(bytes, afterKey);
      const end = start + Number(length);
      if (end > bytes.length) throw new Error('truncated field');
      fields.push({ field, wire, value: bytes.subarray(start, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const end = afterKey + (wire === 1 ? 8 : 4);
      fields.push({ field, wire, value: bytes.subarray(afterKey, end) });
      pos = end;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  return fields;
}

function varintBytes(value: bigint): number[] {
  const out: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return out;
}

function encode(fields: readonly Field[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    parts.push(Uint8Array.from(varintBytes(BigInt((f.field << 3) | f.wire))));
    if (f.wire === 0) parts.push(Uint8Array.from(varintBytes(f.value)));
    else if (f.wire === 2) parts.push(Uint8Array.from(varintBytes(BigInt(f.value.length))), f.value);
    else parts.push(f.value);
  }
  return Buffer.concat(parts);
}

/** Rewrites every length-delimited field numbered `field` as the message `rewrite` makes of it. */
const rewriteEach = (fields: readonly Field[], field: number, rewrite: (inner: Field[]) => Field[]): Field[] =>
  fields.map((f) => (f.field === field && f.wire === 2 ? { ...f, value: encode(rewrite(decode(f.value))) } : f));

function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function widenValues(halves: readonly number[]): Uint8Array {
  const out = new Uint8Array(halves.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < halves.length; i++) view.setFloat32(i * 4, float16ToFloat32(halves[i] ?? 0), true);
  return out;
}

/** TensorProto: dims 1, data_type 2, int32_data 5, raw_data 9, data_location 14. */
function widenTensor(fields: Field[]): Field[] {
  const dataType = fields.find((f) => f.field === 2);
  if (dataType?.wire !== 0 || Number(dataType.value) !== FLOAT16) return fields;
  if (fields.some((f) => f.field === 14 && f.wire === 0 && f.value !== 0n)) {
    throw new Error('a float16 tensor stored outside the model file is not supported');
  }
  // float16 values are either raw little-endian bytes or, one per entry, the bit patterns in int32_data.
  const halves: number[] = [];
  const rest: Field[] = [];
  for (const f of fields) {
    if (f.field === 9 && f.wire === 2) {
      const view = new DataView(f.value.buffer, f.value.byteOffset, f.value.byteLength);
      for (let i = 0; i + 1 < f.value.length; i += 2) halves.push(view.getUint16(i, true));
    } else if (f.field === 5 && f.wire === 0) {
      halves.push(Number(f.value));
    } else if (f.field === 5 && f.wire === 2) {
      for (let pos = 0; pos < f.value.length; ) {
        const [value, next] = readVarint(f.value, pos);
        halves.push(Number(value));
        pos = next;
      }
    } else if (f.field === 2) {
      rest.push({ field: 2, wire: 0, value: BigInt(FLOAT) });
    } else {
      rest.push(f);
    }
  }
  return [...rest, { field: 9, wire: 2, value: widenValues(halves) }];
}

/** TypeProto: tensor_type 1 (elem_type 1); sequence_type 4 and optional_type 9 hold a TypeProto at field 1. */
function widenType(fields: Field[]): Field[] {
  let out = rewriteEach(fields, 1, (tensor) =>
    tensor.map((f) =>
      f.field === 1 && f.wire === 0 && Number(f.value) === FLOAT16 ? { ...f, value: BigInt(FLOAT) } : f,
    ),
  );
  for (const wrapper of [4, 9]) out = rewriteEach(out, wrapper, (inner) => rewriteEach(inner, 1, widenType));
  return out;
}

/** ValueInfoProto: type 2. */
const widenValueInfo = (fields: Field[]): Field[] => rewriteEach(fields, 2, widenType);

/** AttributeProto: name 1, i 3, t 5, g 6, tensors 10, graphs 11; a Cast's `to` names the element type. */
function widenAttribute(fields: Field[]): Field[] {
  const name = fields.find((f) => f.field === 1);
  const isTo = name?.wire === 2 && Buffer.from(name.value).toString('utf8') === 'to';
  let out = fields.map((f) =>
    isTo && f.field === 3 && f.wire === 0 && Number(f.value) === FLOAT16 ? { ...f, value: BigInt(FLOAT) } : f,
  );
  for (const field of [5, 10]) out = rewriteEach(out, field, widenTensor);
  for (const field of [6, 11]) out = rewriteEach(out, field, (graph) => widenGraph(graph, null));
  return out;
}

/** GraphProto: node 1, initializer 5, input 11, output 12, value_info 13. */
function widenGraph(fields: Field[], keepOutputs: ReadonlySet<string> | null): Field[] {
  let out = rewriteEach(fields, 1, (node) => rewriteEach(node, 5, widenAttribute));
  out = rewriteEach(out, 5, widenTensor);
  for (const field of [11, 12, 13]) out = rewriteEach(out, field, widenValueInfo);
  if (keepOutputs === null) return out;
  const nameOf = (f: Field) => {
    const name = f.wire === 2 ? decode(f.value).find((inner) => inner.field === 1) : undefined;
    return name?.wire === 2 ? Buffer.from(name.value).toString('utf8') : '';
  };
  const outputs = out.filter((f) => f.field === 12).map(nameOf);
  const missing = [...keepOutputs].filter((name) => !outputs.includes(name));
  if (missing.length > 0) throw new Error(`the model has no output named ${missing.join(', ')}`);
  // An output nobody fetches still costs its whole branch; dropped, onnxruntime removes the nodes only it used.
  return out.filter((f) => f.field !== 12 || keepOutputs.has(nameOf(f)));
}

export interface WidenFloat16Options {
  /** Graph outputs to keep (all when absent): the others, and the nodes only they need, are dropped. */
  readonly keepOutputs?: readonly string[];
}

/** The float32 form of a float16 ONNX model (ModelProto: graph 7). The same input always gives the same bytes. */
export function widenFloat16Model(model: Uint8Array, options: WidenFloat16Options = {}): Uint8Array {
  const keep = options.keepOutputs ? new Set(options.keepOutputs) : null;
  return encode(rewriteEach(decode(model), 7, (graph) => widenGraph(graph, keep)));
}
