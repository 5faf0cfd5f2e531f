import * as z from 'zod';

/** Every operation Lumina sells. */
export const Operation = z.enum(['remove-background', 'upscale', 'magic-edit']);
export type Operation = z.infer<typeof Operation>;

export const ResultFormat = z.enum(['png', 'webp']);
export type ResultFormat = z.infer<typeof ResultFormat>;

/** `rgba`: the cut-out with its alpha; `alpha`: the mask alone as a 1-channel grayscale image (remove.bg's names). */
export const ResultChannels = z.enum(['rgba', 'alpha']);
export type ResultChannels = z.infer<typeof ResultChannels>;

/** The largest margin `crop_margin` may add on each side, as remove.bg caps it. */
export const maxCropMargin = { px: 500, percent: 50 } as const;

/** Colour names `bg_color` accepts besides hex, as `rrggbb`. A short list of the CSS names people actually send. */
export const namedColors = {
  white: 'ffffff',
  black: '000000',
  red: 'ff0000',
  green: '008000',
  lime: '00ff00',
  blue: '0000ff',
  yellow: 'ffff00',
  cyan: '00ffff',
  magenta: 'ff00ff',
  gray: '808080',
  grey: '808080',
  silver: 'c0c0c0',
  orange: 'ffa500',
  purple: '800080',
  pink: 'ffc0cb',
  brown: 'a52a2a',
  navy: '000080',
  teal: '008080',
} as const satisfies Record<string, string>;

/**
 * Form fields arrive as text, JSON as booleans: both `true`/`false` (and `1`/`0`) mean the same, and the parsed
 * value is a boolean again, so a job's params parse to themselves.
 */
const FlagParam = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  ctx.addIssue({ code: 'custom', message: 'must be true or false' });
  return z.NEVER;
});

/**
 * `crop_margin`: pixels (`30px`, or a bare number) or a percentage of the subject's size (`10%`), one value for
 * every side. Parsed to its canonical text (`30px`, `10%`) so a stored task shows what it will do.
 */
export const CropMargin = z.union([z.number(), z.string().trim().toLowerCase()]).transform((value, ctx) => {
  const match = typeof value === 'number' ? null : /^(\d+(?:\.\d+)?)\s*(px|%)?$/.exec(value);
  const amount = typeof value === 'number' ? value : Number(match?.[1] ?? Number.NaN);
  const unit = typeof value === 'number' ? 'px' : (match?.[2] ?? 'px');
  if (!Number.isFinite(amount) || amount < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be pixels (`30px`) or a percentage of the subject (`10%`)' });
    return z.NEVER;
  }
  const cap = unit === '%' ? maxCropMargin.percent : maxCropMargin.px;
  if (amount > cap) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${maxCropMargin.px}px or ${maxCropMargin.percent}%` });
    return z.NEVER;
  }
  return unit === '%' ? `${amount}%` : `${Math.round(amount)}px`;
});
export type CropMargin = z.infer<typeof CropMargin>;

/** A canonical `crop_margin` read back as a number and its unit. */
export function readCropMargin(margin: CropMargin | undefined): { amount: number; unit: 'px' | '%' } {
  if (!margin) return { amount: 0, unit: 'px' };
  return margin.endsWith('%')
    ? { amount: Number(margin.slice(0, -1)), unit: '%' }
    : { amount: Number.parseInt(margin, 10), unit: 'px' };
}

/**
 * `bg_color`: hex `rgb`, `rrggbb` or `rrggbbaa` with or without `#`, or a name from `namedColors`. Parsed to
 * lowercase `rrggbb`, or `rrggbbaa` when the fill is not opaque.
 */
export const BackgroundColor = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value, ctx) => {
    const named = (namedColors as Record<string, string | undefined>)[value];
    const hex = named ?? value.replace(/^#/, '');
    if (!/^(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/.test(hex)) {
      ctx.addIssue({ code: 'custom', message: 'must be a hex colour (`81d4fa`, `#fff`, `ffffff80`) or a colour name' });
      return z.NEVER;
    }
    const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
    return full.endsWith('ff') && full.length === 8 ? full.slice(0, 6) : full;
  });
export type BackgroundColor = z.infer<typeof BackgroundColor>;

/** A canonical `bg_color` as 0–255 red, green, blue and alpha. */
export function readBackgroundColor(color: BackgroundColor): [number, number, number, number] {
  const byte = (at: number) => Number.parseInt(color.slice(at, at + 2), 16);
  return [byte(0), byte(2), byte(4), color.length === 8 ? byte(6) : 255];
}

/**
 * Parameters of `remove-background`; names follow remove.bg where they overlap. `crop_margin` without `crop`
 * is accepted and does nothing, as on remove.bg; `bg_color` with `channels=alpha` is refused, since a mask
 * has no background to fill.
 */
export const RemoveBackgroundParams = z
  .strictObject({
    format: ResultFormat.default('png'),
    crop: FlagParam.default(false),
    crop_margin: CropMargin.optional(),
    bg_color: BackgroundColor.optional(),
    channels: ResultChannels.default('rgba'),
  })
  .refine((params) => !(params.channels === 'alpha' && params.bg_color !== undefined), {
    path: ['bg_color'],
    message: 'cannot be combined with channels=alpha: the mask alone has no background to fill',
  });
export type RemoveBackgroundParams = z.infer<typeof RemoveBackgroundParams>;

export const upscaleScales = [2, 4] as const;
export const UpscaleScale = z.union([z.number(), z.string().trim().toLowerCase()]).transform((value, ctx) => {
  const scale = typeof value === 'number' ? value : Number(value.replace(/x$/, ''));
  if (scale === 2 || scale === 4) return scale;
  ctx.addIssue({ code: 'custom', message: 'must be 2 or 4' });
  return z.NEVER;
});
export type UpscaleScale = z.infer<typeof UpscaleScale>;

/** ESRGAN sizes: `slim` is fastest, `thick` sharpest. */
export const UpscaleModel = z.enum(['slim', 'medium', 'thick']);
export type UpscaleModel = z.infer<typeof UpscaleModel>;

/** Parameters of `upscale`. Form fields arrive as text: `scale` takes `2`, `4`, `2x` or `4x`. */
export const UpscaleParams = z.strictObject({
  scale: UpscaleScale,
  model: UpscaleModel.default('slim'),
  format: ResultFormat.default('png'),
});
export type UpscaleParams = z.infer<typeof UpscaleParams>;

/** The longest instruction a magic edit takes, in characters (code points). */
export const maxPromptLength = 2000;

/** A magic edit's instruction: trimmed, not empty, at most `maxPromptLength` characters. */
export const EditPrompt = z
  .string()
  .trim()
  .min(1, 'must not be empty: say what to change, e.g. "make it sunset"')
  .refine((prompt) => [...prompt].length <= maxPromptLength, `must be at most ${maxPromptLength} characters`);

/**
 * The size of a magic edit's result. The model answers at about one megapixel whatever it is sent: `original`
 * (the default) brings the answer back to the input's width and height so it drops into the design in place;
 * `model` keeps the model's own size.
 */
export const EditResultSize = z.enum(['original', 'model']);
export type EditResultSize = z.infer<typeof EditResultSize>;

/** Parameters of `magic-edit`: an instruction such as "make it sunset" or "add a cat". */
export const MagicEditParams = z.strictObject({
  prompt: EditPrompt,
  size: EditResultSize.default('original'),
  format: ResultFormat.default('png'),
});
export type MagicEditParams = z.infer<typeof MagicEditParams>;

/** One operation with its parameters, as stored on a task and carried by a job. */
export const OperationRequest = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('remove-background'), params: RemoveBackgroundParams }),
  z.strictObject({ operation: z.literal('upscale'), params: UpscaleParams }),
  z.strictObject({ operation: z.literal('magic-edit'), params: MagicEditParams }),
]);
export type OperationRequest = z.infer<typeof OperationRequest>;

/** Input image formats accepted at upload, as sniffed from the bytes (never the declared type). */
export const InputFormat = z.enum(['png', 'jpeg', 'webp', 'avif', 'heif', 'tiff', 'gif']);
export type InputFormat = z.infer<typeof InputFormat>;

export const contentTypeOf: Record<ResultFormat, string> = { png: 'image/png', webp: 'image/webp' };
