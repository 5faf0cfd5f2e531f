import type { ModelRegistry, UpscaleModelEntry } from '../models/registry.ts';

/** The ESRGAN sizes shipped: more weights are sharper and slower. */
export type UpscaleModelSize = 'slim' | 'medium' | 'thick';

/**
 * Slim: on the 2-core cpu it takes ~3.4 µs per input pixel at 2× where thick takes ~90 (26× slower: a 1024²
 * photo in ~5 s instead of ~2 min). Thick stays available for callers who ask for it.
 */
export const defaultUpscaleModelSize: UpscaleModelSize = 'slim';

/**
 * The registered upscaler for `scale` and `model` size. The size is read from the id's `-<size>-x<scale>`
 * suffix, the naming every upscaler in the registry follows.
 */
export function chooseUpscaleModel(
  registry: ModelRegistry,
  { scale, model = defaultUpscaleModelSize }: { readonly scale: number; readonly model?: UpscaleModelSize },
): UpscaleModelEntry {
  const entry = registry.models.find(
    (m): m is UpscaleModelEntry =>
      m.operation === 'upscale' && m.output.scale === scale && m.id.endsWith(`-${model}-x${scale}`),
  );
  if (!entry) throw new Error(`the model registry in ${registry.dir} has no ${model} upscaler for ${scale}×`);
  return entry;
}
