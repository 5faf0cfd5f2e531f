import type { OperationCapability } from '@lumina/shared';

export interface Priced {
  readonly credits: number;
  /** The result's size where it is known before running (an upscale of an image of known size). */
  readonly output: { width: number; height: number } | null;
}

/**
 * What an action will cost, from the capabilities, before it runs: the flat price, or for an upscale the price
 * per started block of output pixels (the server's rule, as `creditsPerOutputPixels` publishes it).
 */
export function priceOf(
  capability: OperationCapability,
  input: { width: number; height: number } | null,
  scale: number,
): Priced {
  if (capability.operation !== 'upscale' || input === null) {
    return { credits: capability.credits, output: capability.operation === 'upscale' ? null : input };
  }
  const output = { width: input.width * scale, height: input.height * scale };
  const per = capability.creditsPerOutputPixels;
  const credits = per
    ? Math.max(capability.credits, per.credits * Math.ceil((output.width * output.height) / per.outputPixels))
    : capability.credits;
  return { credits, output };
}
