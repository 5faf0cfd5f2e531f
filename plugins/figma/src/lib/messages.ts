import { z } from 'zod';

/**
 * The one message contract between Figma's main thread and the plugin UI. Both sides parse what they receive
 * with these schemas (`parseToMain`, `parseToUi`): a malformed message is dropped, never acted on.
 */

/** Structured clone hands bytes over as a `Uint8Array` of the receiving realm. */
const Bytes = z.custom<Uint8Array>(
  (value) => ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]',
  'expected bytes',
);

export const QuickAction = z.enum(['remove-background', 'upscale-2', 'upscale-4']);
export type QuickAction = z.infer<typeof QuickAction>;

export const Placement = z.enum(['replace', 'beside']);
export type Placement = z.infer<typeof Placement>;

export const SelectionItem = z.strictObject({
  nodeId: z.string(),
  name: z.string(),
  nodeType: z.string(),
  /** Set where the node's fill is an image: its original bytes are sent, at their own size. */
  hasImageFill: z.boolean(),
  /** The image's own pixels for an image fill, else the node's size at export scale 1. */
  widthPx: z.number().int().nonnegative(),
  heightPx: z.number().int().nonnegative(),
});
export type SelectionItem = z.infer<typeof SelectionItem>;

/** One image to insert: the whole result, or one tile of it at (`x`, `y`) in result pixels. */
export const ResultPiece = z.strictObject({
  bytes: Bytes,
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
});
export type ResultPiece = z.infer<typeof ResultPiece>;

export const ItemFailure = z.enum(['node-gone', 'no-input', 'too-large', 'failed']);
export type ItemFailure = z.infer<typeof ItemFailure>;

export const ToMain = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ui-ready') }),
  /** `null` signs out. */
  z.strictObject({ type: z.literal('save-token'), token: z.string().min(1).nullable() }),
  z.strictObject({ type: z.literal('open-external'), url: z.url() }),
  z.strictObject({ type: z.literal('notify'), message: z.string().max(200), error: z.boolean().optional() }),
  z.strictObject({
    type: z.literal('read-input'),
    itemId: z.string(),
    nodeId: z.string(),
    /** For nodes without an image fill: the PNG export's scale. */
    exportScale: z.number().min(0.5).max(4),
  }),
  z.strictObject({
    type: z.literal('apply-result'),
    itemId: z.string(),
    nodeId: z.string(),
    placement: Placement,
    hideOriginal: z.boolean(),
    /** The full result's size, in pixels; `pieces` cover it (one piece, or tiles). */
    widthPx: z.number().int().positive(),
    heightPx: z.number().int().positive(),
    pieces: z.array(ResultPiece).min(1),
    /** What was done, for the layer's name and relaunch button ("Remove background"). */
    label: z.string().max(100),
  }),
  z.strictObject({ type: z.literal('close') }),
]);
export type ToMain = z.infer<typeof ToMain>;

export const ToUi = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    token: z.string().nullable(),
    /** The menu command the plugin was started with, to run at once on the selection. */
    quickAction: QuickAction.nullable(),
    selection: z.array(SelectionItem),
  }),
  z.strictObject({ type: z.literal('selection'), items: z.array(SelectionItem) }),
  z.strictObject({
    type: z.literal('input'),
    itemId: z.string(),
    bytes: Bytes,
    widthPx: z.number().int().positive(),
    heightPx: z.number().int().positive(),
    source: z.enum(['image-fill', 'export']),
  }),
  z.strictObject({ type: z.literal('applied'), itemId: z.string(), nodeId: z.string() }),
  z.strictObject({ type: z.literal('item-failed'), itemId: z.string(), reason: ItemFailure, message: z.string() }),
]);
export type ToUi = z.infer<typeof ToUi>;

export const parseToMain = (message: unknown): ToMain | null => {
  const parsed = ToMain.safeParse(message);
  return parsed.success ? parsed.data : null;
};

export const parseToUi = (message: unknown): ToUi | null => {
  const parsed = ToUi.safeParse(message);
  return parsed.success ? parsed.data : null;
};
