import {
  type Capabilities,
  InputFormat,
  maxCropMargin,
  namedColors,
  type ParamCapability,
  ResultChannels,
  ResultFormat,
  UpscaleModel,
  upscaleScales,
} from '@lumina/shared';
import type { Config } from '../config.ts';
import { upscalePricePixels } from './price-task.ts';

/** What this deployment offers, at what price, within which limits (`GET /api/v1/capabilities`). */
export function describeCapabilities(config: Config): Capabilities {
  return {
    operations: [
      {
        operation: 'remove-background',
        available: true,
        credits: config.prices['remove-background'],
        resultFormats: [...ResultFormat.options],
        params: removeBackgroundParams,
      },
      {
        operation: 'upscale',
        available: true,
        credits: config.prices.upscale,
        creditsPerOutputPixels: { credits: config.prices.upscale, outputPixels: upscalePricePixels },
        resultFormats: [...ResultFormat.options],
        params: upscaleParams,
      },
    ],
    limits: {
      maxUploadBytes: config.limits.maxUploadBytes,
      maxInputPixels: config.limits.maxInputPixels,
      maxInputSidePx: config.limits.maxInputSidePx,
      inputFormats: [...InputFormat.options],
      maxPreferWaitSeconds: config.limits.maxPreferWaitSeconds,
      maxOutputPixels: config.limits.maxOutputPixels,
      maxOutputSidePx: config.limits.maxOutputSidePx,
    },
  };
}

/** `remove-background`'s parameters as `RemoveBackgroundParams` accepts them, for clients to build their UI from. */
const removeBackgroundParams: ParamCapability[] = [
  { name: 'format', type: 'enum', values: [...ResultFormat.options], default: 'png', description: 'Result format.' },
  {
    name: 'crop',
    type: 'boolean',
    default: false,
    description: "Trim the result to the subject's bounding box.",
  },
  {
    name: 'crop_margin',
    type: 'margin',
    default: '0px',
    max: { px: maxCropMargin.px, percent: maxCropMargin.percent },
    description:
      'Margin around the cropped subject, in pixels (`30px`) or percent of the subject (`10%`); only with crop.',
  },
  {
    name: 'bg_color',
    type: 'color',
    values: Object.keys(namedColors),
    description:
      'Fill the background with a colour (hex `rrggbb`, `rgb`, `rrggbbaa`, or a name) instead of transparency.',
  },
  {
    name: 'channels',
    type: 'enum',
    values: [...ResultChannels.options],
    default: 'rgba',
    description: '`rgba`: the cut-out; `alpha`: the mask alone as a grayscale image (not with bg_color).',
  },
];

/** `upscale`'s parameters as `UpscaleParams` accepts them. */
const upscaleParams: ParamCapability[] = [
  {
    name: 'scale',
    type: 'enum',
    values: upscaleScales.map(String),
    description: 'How many times wider and taller the result is.',
  },
  {
    name: 'model',
    type: 'enum',
    values: [...UpscaleModel.options],
    default: 'slim',
    description: 'ESRGAN size: `slim` is fastest, `thick` sharpest.',
  },
  { name: 'format', type: 'enum', values: [...ResultFormat.options], default: 'png', description: 'Result format.' },
];
