import type { Operation } from '@lumina/shared';
import * as z from 'zod/mini';
import { isWebUrl } from './is-web-url.ts';

/**
 * The one message contract between Figma's main thread and the plugin UI. Both sides parse what they receive
 * with these schemas (`parseToMain`, `parseToUi`): a malformed message is dropped, never acted on. Written with
 * `zod/mini`, so the main thread's bundle carries only the checks it uses.
 */

/** Structured clone hands bytes over as a `Uint8Array` of the receiving realm. */
const Bytes = z.custom<Uint8Array>(
  (value) => ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]',
  'expected bytes',
);

const operations = ['remove-background', 'upscale', 'magic-edit'] as const satisfies readonly Operation[];

/**
 * What to run, as the designer chose it: the operation and the option form's values. The UI turns them into the
 * API's parameters with the capabilities it fetched, so a quick action and the panel send the same thing.
 */
export const Job = z.strictObject({
  operation: z.enum(operations),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type Job = z.infer<typeof Job>;

export const Placement = z.enum(['replace', 'beside']);
export type Placement = z.infer<typeof Placement>;

/** What to do with a result over Figma's 4096 px limit. */
export const LargeResult = z.enum(['downscale', 'tiles', 'download']);
export type LargeResult = z.infer<typeof LargeResult>;

/** How results are placed, remembered in `figma.clientStorage` between runs. */
export const PanelSettings = z.strictObject({
  placement: Placement,
  hideOriginal: z.boolean(),
  exportScale: z.number().check(z.minimum(0.5), z.maximum(4)),
  largeResult: LargeResult,
});
export type PanelSettings = z.infer<typeof PanelSettings>;

/** Never destroys the original: the result goes beside it, the original stays visible. */
export const defaultPanelSettings: PanelSettings = {
  placement: 'beside',
  hideOriginal: false,
  exportScale: 1,
  largeResult: 'downscale',
};

export const SelectionItem = z.strictObject({
  nodeId: z.string(),
  name: z.string(),
  nodeType: z.string(),
  /** Set where the node's fill is an image: its original bytes are sent, at their own size. */
  hasImageFill: z.boolean(),
  /** The image's own pixels for an image fill, else the node's size at export scale 1. */
  widthPx: z.int().check(z.nonnegative()),
  heightPx: z.int().check(z.nonnegative()),
});
export type SelectionItem = z.infer<typeof SelectionItem>;

/** One image to insert: the whole result, or one tile of it at (`x`, `y`) in result pixels. */
export const ResultPiece = z.strictObject({
  bytes: Bytes,
  x: z.int().check(z.nonnegative()),
  y: z.int().check(z.nonnegative()),
  widthPx: z.int().check(z.positive()),
  heightPx: z.int().check(z.positive()),
});
export type ResultPiece = z.infer<typeof ResultPiece>;

export const ItemFailure = z.enum(['node-gone', 'no-input', 'too-large', 'failed']);
export type ItemFailure = z.infer<typeof ItemFailure>;

export const ToMain = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ui-ready') }),
  /** `null` signs out. */
  z.strictObject({ type: z.literal('save-token'), token: z.nullable(z.string().check(z.minLength(1))) }),
  z.strictObject({ type: z.literal('save-settings'), settings: PanelSettings }),
  z.strictObject({ type: z.literal('open-external'), url: z.string().check(z.refine(isWebUrl, 'expected a web URL')) }),
  z.strictObject({
    type: z.literal('notify'),
    message: z.string().check(z.maxLength(200)),
    error: z.optional(z.boolean()),
  }),
  z.strictObject({
    type: z.literal('read-input'),
    itemId: z.string(),
    nodeId: z.string(),
    /** For nodes without an image fill: the PNG export's scale. */
    exportScale: z.number().check(z.minimum(0.5), z.maximum(4)),
  }),
  z.strictObject({
    type: z.literal('apply-result'),
    itemId: z.string(),
    nodeId: z.string(),
    placement: Placement,
    hideOriginal: z.boolean(),
    /** The full result's size, in pixels; `pieces` cover it (one piece, or tiles). */
    widthPx: z.int().check(z.positive()),
    heightPx: z.int().check(z.positive()),
    pieces: z.array(ResultPiece).check(z.minLength(1)),
    /** What was done, for the layer's name ("Upscale 2×"). */
    label: z.string().check(z.maxLength(100)),
    /** Kept on the result so its relaunch button repeats it with the same options. */
    job: Job,
  }),
  /** Selects the layer and scrolls it into view (a row's "Select" link). */
  z.strictObject({ type: z.literal('select-node'), nodeId: z.string() }),
  z.strictObject({ type: z.literal('close') }),
]);
export type ToMain = z.infer<typeof ToMain>;

export const ToUi = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('init'),
    token: z.nullable(z.string()),
    /** A quick action (menu command, quick-actions bar, relaunch button): run it at once, panel hidden. */
    quickJob: z.nullable(Job),
    settings: PanelSettings,
    selection: z.array(SelectionItem),
  }),
  z.strictObject({ type: z.literal('selection'), items: z.array(SelectionItem) }),
  z.strictObject({
    type: z.literal('input'),
    itemId: z.string(),
    bytes: Bytes,
    widthPx: z.int().check(z.positive()),
    heightPx: z.int().check(z.positive()),
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
