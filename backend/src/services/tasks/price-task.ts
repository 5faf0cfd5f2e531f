import type { OperationRequest, UpscaleModel } from '@lumina/shared';
import type { Config } from '../../config.ts';
import { ApiError } from '../../errors.ts';

/** An upscale is priced per started block of this many output pixels (4096×4096). */
export const upscalePricePixels = 4096 * 4096;

/**
 * Each upscaler's compute per output pixel relative to slim, measured on one 192² ×2 tile with onnxruntime on the
 * 2-core cpu (slim 0.6 s, medium 1.8 s, thick 14.4 s; bench/upscale.ts measured thick at ~26× on whole images).
 * Credits follow the work, so a thick upscale cannot buy many times the compute of a slim one at its price.
 */
export const upscaleRelativeCost: Record<UpscaleModel, number> = { slim: 1, medium: 3, thick: 24 };

/** Credits per started `upscalePricePixels` of output for one upscaler: `PRICE_UPSCALE` times its relative cost. */
export const upscaleCreditsPerBlock = (config: Pick<Config, 'prices'>, model: UpscaleModel): number =>
  config.prices.upscale * upscaleRelativeCost[model];

export interface PricedTask {
  readonly credits: number;
  readonly output: { readonly width: number; readonly height: number };
}

/**
 * The result's size and the task's price, decided at submit from the inspected input. An output over the
 * limits is refused here, before anything is stored or charged.
 */
export function priceTask(
  config: Pick<Config, 'prices' | 'limits'>,
  request: OperationRequest,
  input: { width: number; height: number },
): PricedTask {
  if (request.operation === 'remove-background') {
    return { credits: config.prices['remove-background'], output: input };
  }
  if (request.operation === 'magic-edit') {
    // At `size=model` the output is about one megapixel whatever the input; `original` keeps the input's size.
    return { credits: config.prices['magic-edit'], output: input };
  }
  const output = { width: input.width * request.params.scale, height: input.height * request.params.scale };
  const { maxOutputPixels, maxOutputSidePx } = config.limits;
  if (output.width * output.height > maxOutputPixels || Math.max(output.width, output.height) > maxOutputSidePx) {
    throw new ApiError(
      'output_too_large',
      `A ${request.params.scale}× upscale of ${input.width}×${input.height} would be ${output.width}×${output.height}, over the limit of ${maxOutputPixels} pixels and ${maxOutputSidePx} px a side.`,
      { output, maxOutputPixels, maxOutputSidePx },
    );
  }
  const blocks = Math.ceil((output.width * output.height) / upscalePricePixels);
  return { credits: upscaleCreditsPerBlock(config, request.params.model) * blocks, output };
}
