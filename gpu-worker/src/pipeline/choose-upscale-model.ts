import type { UpscaleModel } from '@lumina/shared';
import type { ModelRegistry, UpscaleModelEntry } from '../models/registry.ts';

/**
 * The first registered upscaler for `scale` and `model` size: the registry's order is the operator's preference,
 * so an upscaler listed before the ESRGAN ones takes their place without a code change.
 */
export function chooseUpscaleModel(
  registry: ModelRegistry,
  { scale, model }: { readonly scale: number; readonly model: UpscaleModel },
): UpscaleModelEntry {
  const entry = registry.models.find(
    (m): m is UpscaleModelEntry => m.operation === 'upscale' && m.output.scale === scale && m.size === model,
  );
  if (!entry) throw new Error(`the model registry in ${registry.dir} has no ${model} upscaler for ${scale}×`);
  return entry;
}
