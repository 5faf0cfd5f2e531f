import { TaskId } from '@lumina/shared';
import * as z from 'zod';

/**
 * The one interface between the panel (UI iframe) and the document sandbox. Both sides run code the other
 * cannot see, so each side parses every call's arguments with these schemas on receipt.
 */

/** What kind of element is selected, as far as Lumina cares. */
export const NodeKind = z.enum(['image', 'media', 'shape', 'text', 'group', 'other']);
export type NodeKind = z.infer<typeof NodeKind>;

export const Rect = z.strictObject({
  x: z.number(),
  y: z.number(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
});
export type Rect = z.infer<typeof Rect>;

export const Size = z.strictObject({ width: z.number().positive(), height: z.number().positive() });
export type Size = z.infer<typeof Size>;

/** The add-on data key under which images the add-on inserted keep the id of the task that made them. */
export const taskIdDataKey = 'lumina.taskId';

export const SelectedItem = z.strictObject({
  nodeId: z.string().min(1),
  kind: NodeKind,
  /** Axis-aligned bounds in the coordinates of the page (the node's artboard), the space a page rendition has. */
  bounds: Rect,
  /** The artboard's size in the same units, to scale a rendition's pixels to these bounds. */
  pageSize: Size,
  /** `replaceMedia` can swap the image in place (an image container or grid cell). */
  replaceable: z.boolean(),
  /** Set on images Lumina inserted: the task that produced them, to re-process the exact pixels. */
  luminaTaskId: TaskId.nullable(),
  /** Only the experimental build asks Express whether the media may be exported; null elsewhere. */
  mediaExportable: z.boolean().nullable(),
});
export type SelectedItem = z.infer<typeof SelectedItem>;

export const SelectionSnapshot = z.strictObject({ items: z.array(SelectedItem) });
export type SelectionSnapshot = z.infer<typeof SelectionSnapshot>;

/** A `Blob` as structured clone delivers it; checked by shape so this file touches no global. */
export interface BlobLike {
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}
const isBlobLike = (value: unknown): value is BlobLike =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { size?: unknown }).size === 'number' &&
  typeof (value as { type?: unknown }).type === 'string' &&
  typeof (value as { arrayBuffer?: unknown }).arrayBuffer === 'function';

export const Placement = z.enum(['replace', 'beside']);
export type Placement = z.infer<typeof Placement>;

export const PlaceResultArgs = z.strictObject({
  nodeId: z.string().min(1),
  placement: Placement,
  /** PNG or JPEG bytes (what `editor.loadBitmapImage` accepts). */
  image: z.custom<BlobLike>(isBlobLike, 'image must be a Blob'),
  taskId: TaskId,
});
export type PlaceResultArgs = z.infer<typeof PlaceResultArgs>;

export const PlaceFailureCode = z.enum(['invalid_arguments', 'node_gone', 'not_replaceable', 'not_insertable']);
export type PlaceFailureCode = z.infer<typeof PlaceFailureCode>;

export const PlaceOutcome = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), nodeId: z.string(), placement: Placement }),
  z.strictObject({ ok: z.literal(false), code: PlaceFailureCode, message: z.string() }),
]);
export type PlaceOutcome = z.infer<typeof PlaceOutcome>;

export const ReadMediaArgs = z.strictObject({ nodeId: z.string().min(1) });
export type ReadMediaArgs = z.infer<typeof ReadMediaArgs>;

/** The experimental direct read of an image's own pixels (`fetchBitmapImage` + `data`); off in production. */
export const ReadMediaOutcome = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), image: z.custom<BlobLike>(isBlobLike, 'image must be a Blob') }),
  z.strictObject({
    ok: z.literal(false),
    code: z.enum(['invalid_arguments', 'experimental_apis_off', 'node_gone', 'not_an_image', 'premium_content']),
    message: z.string(),
  }),
]);
export type ReadMediaOutcome = z.infer<typeof ReadMediaOutcome>;

/** Selects a node (a job row's "Select" link), found again by id; false when it is no longer on the page. */
export const SelectNodeArgs = z.strictObject({ nodeId: z.string().min(1) });
export type SelectNodeArgs = z.infer<typeof SelectNodeArgs>;
export const SelectNodeOutcome = z.strictObject({ selected: z.boolean() });
export type SelectNodeOutcome = z.infer<typeof SelectNodeOutcome>;

/** What the sandbox exposes with `runtime.exposeApi`; arguments arrive as `unknown` and are parsed. */
export interface LuminaSandboxApi {
  readSelection(...args: unknown[]): SelectionSnapshot;
  placeResult(args: unknown): Promise<PlaceOutcome>;
  readMedia(args: unknown): Promise<ReadMediaOutcome>;
  selectNode(args: unknown): SelectNodeOutcome;
}

/**
 * What the panel exposes with `runtime.exposeApi`: the sandbox calls it on each `selectionChange` with the new
 * selection, so the panel never polls. The argument arrives as `unknown` and is parsed as a `SelectionSnapshot`.
 */
export interface LuminaPanelApi {
  selectionChanged(snapshot: unknown): void;
}
