import { BackgroundColor, CropMargin, ResultChannels } from '@lumina/shared';
import { z } from 'zod';

/**
 * remove.bg's `POST /v1.0/removebg` fields, as its clients send them (form fields or JSON). Features Lumina has
 * are mapped to its own parameters; features it lacks are refused by name rather than silently ignored, so an
 * integration that depends on them finds out on its first call.
 */
const flag = z
  .union([z.boolean(), z.string().trim().toLowerCase()])
  .transform((v) => v === true || v === 'true' || v === '1');

/** Output size caps in megapixels, by remove.bg's `size` names; `auto`, `full` and `4k` keep the full resolution. */
export const removeBgSizes = {
  preview: 0.25,
  small: 0.25,
  regular: 0.25,
  medium: 1.5,
  hd: 4,
  full: null,
  '4k': null,
  auto: null,
} as const;

export const RemoveBgFields = z.object({
  image_file_b64: z.string().optional(),
  image_url: z.string().optional(),
  size: z.enum(Object.keys(removeBgSizes) as [keyof typeof removeBgSizes]).default('auto'),
  // A hint to their model; ours needs none.
  type: z.enum(['auto', 'person', 'product', 'car', 'animal', 'graphic', 'transportation']).default('auto'),
  type_level: z.enum(['none', '1', '2', 'latest']).optional(),
  format: z.enum(['auto', 'png', 'jpg', 'webp', 'zip']).default('auto'),
  crop: flag.default(false),
  crop_margin: CropMargin.optional(),
  bg_color: BackgroundColor.optional(),
  channels: ResultChannels.default('rgba'),
  semitransparency: flag.default(true),
  roi: z.string().optional(),
  scale: z.string().optional(),
  position: z.string().optional(),
  add_shadow: flag.default(false),
  shadow_type: z.string().optional(),
  shadow_opacity: z.string().optional(),
  bg_image_url: z.string().optional(),
  bg_image_file: z.unknown().optional(),
});
export type RemoveBgFields = z.infer<typeof RemoveBgFields>;

export interface RemoveBgRequest {
  readonly params: { crop: boolean; crop_margin?: string; bg_color?: string; channels: 'rgba' | 'alpha' };
  /** The encoding of the answer; `auto` is PNG when the result has transparency, JPEG otherwise. */
  readonly format: 'png' | 'jpg' | 'webp';
  /** Largest answer in megapixels, or null for the full resolution. */
  readonly maxMegapixels: number | null;
}

/**
 * Maps remove.bg's fields to a Lumina removal, or says which field is not supported. `withBackground`: a
 * `bg_image_file` was uploaded (read apart from the fields, as a file); the answer is then opaque.
 */
export function readRemoveBgFields(
  fields: RemoveBgFields,
  withBackground = false,
): RemoveBgRequest | { unsupported: string } {
  if (fields.image_url) return { unsupported: 'image_url (upload the file as image_file or image_file_b64)' };
  if (fields.format === 'zip') return { unsupported: 'format=zip (ask for png, jpg or webp)' };
  if (fields.roi && fields.roi !== '0% 0% 100% 100%') return { unsupported: 'roi' };
  if (fields.scale && fields.scale !== 'original') return { unsupported: 'scale' };
  if (fields.position && fields.position !== 'original') return { unsupported: 'position' };
  if (fields.add_shadow) return { unsupported: 'add_shadow' };
  if (fields.bg_image_url) return { unsupported: 'bg_image_url (upload the background as bg_image_file)' };
  if (fields.bg_image_file !== undefined) return { unsupported: 'bg_image_file other than an uploaded file' };
  if (withBackground && fields.channels === 'alpha')
    return { unsupported: 'bg_image_file together with channels=alpha' };
  if (withBackground && fields.bg_color) return { unsupported: 'bg_image_file together with bg_color' };
  if (fields.channels === 'alpha' && fields.bg_color) return { unsupported: 'bg_color together with channels=alpha' };
  const opaque = withBackground || (fields.bg_color !== undefined && fields.bg_color.length === 6);
  const format = fields.format === 'auto' ? (opaque ? 'jpg' : 'png') : fields.format;
  return {
    params: {
      crop: fields.crop,
      ...(fields.crop_margin ? { crop_margin: fields.crop_margin } : {}),
      ...(fields.bg_color ? { bg_color: fields.bg_color } : {}),
      channels: fields.channels,
    },
    format,
    maxMegapixels: removeBgSizes[fields.size],
  };
}
