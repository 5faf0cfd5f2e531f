import { type Capabilities, InputFormat, ResultFormat } from '@lumina/shared';
import type { Config } from '../config.ts';

/** What this deployment offers, at what price, within which limits (`GET /api/v1/capabilities`). */
export function describeCapabilities(config: Config): Capabilities {
  return {
    operations: [
      {
        operation: 'remove-background',
        available: true,
        credits: config.prices['remove-background'],
        resultFormats: [...ResultFormat.options],
      },
    ],
    limits: {
      maxUploadBytes: config.limits.maxUploadBytes,
      maxInputPixels: config.limits.maxInputPixels,
      maxInputSidePx: config.limits.maxInputSidePx,
      inputFormats: [...InputFormat.options],
      maxPreferWaitSeconds: config.limits.maxPreferWaitSeconds,
    },
  };
}
