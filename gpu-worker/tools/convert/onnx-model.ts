/** The subset of ONNX's ModelProto that the converter writes, as plain data (see encode-onnx-model.ts). */

export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'ints'; readonly value: readonly number[] };

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** An empty string is an omitted optional input (Resize's `roi`, for one). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

export type OnnxTensor =
  | { readonly name: string; readonly dataType: 'float'; readonly dims: readonly number[]; readonly data: Float32Array }
  | {
      readonly name: string;
      readonly dataType: 'int64';
      readonly dims: readonly number[];
      readonly data: BigInt64Array;
    };

/** A float tensor whose dims are sizes or named symbolic dimensions. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dims: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly graph: OnnxGraph;
}
