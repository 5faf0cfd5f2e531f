import type { OperationRequest } from '@lumina/shared';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';

/** An upscale is priced per started block of this many output pixels (4096×4096). */
export const upscalePricePixels = 4096 * 4096;

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
  return { credits: config.prices.upscale * blocks, output };
}
