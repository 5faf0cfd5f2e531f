import {
  type Capabilities,
  EditResultSize,
  InputFormat,
  maxCropMargin,
  maxPromptLength,
  namedColors,
  type ParamCapability,
  ResultChannels,
  ResultFormat,
  UpscaleModel,
  upscaleScales,
  type WorkerHeartbeat,
} from '@lumina/shared';
import type { Config } from '../../config.ts';
import { upscaleCreditsPerBlock, upscalePricePixels, upscaleRelativeCost } from '../tasks/price-task.ts';
import { plansApply } from '../teams/team-plan.ts';

/**
 * What this deployment offers, at what price, within which limits (`GET /api/v1/capabilities`). Background
 * removal and upscaling are available while a gpu-worker's heartbeat is live (every gpu-worker serves both: its
 * segmentation model, and the ESRGAN models it loads on first use); without one, tasks would wait in the queue.
 */
export function describeCapabilities(config: Config, liveWorkers: readonly WorkerHeartbeat[]): Capabilities {
  const gpu = liveWorkers.length > 0 ? { available: true } : { available: false, reason: noGpuWorkerReason };
  return {
    operations: [
      {
        operation: 'remove-background',
        ...gpu,
        credits: config.prices['remove-background'],
        resultFormats: [...ResultFormat.options],
        params: removeBackgroundParams,
      },
      {
        operation: 'upscale',
        ...gpu,
        credits: config.prices.upscale,
        creditsPerOutputPixels: { credits: config.prices.upscale, outputPixels: upscalePricePixels },
        models: UpscaleModel.options.map((model) => ({
          model,
          credits: upscaleCreditsPerBlock(config, model),
          outputPixels: upscalePricePixels,
          relativeCost: upscaleRelativeCost[model],
        })),
        resultFormats: [...ResultFormat.options],
        params: upscaleParams,
      },
      {
        operation: 'magic-edit',
        available: config.gemini.apiKey !== undefined,
        credits: config.prices['magic-edit'],
        resultFormats: [...ResultFormat.options],
        params: magicEditParams,
        ...(config.gemini.apiKey === undefined
          ? { reason: 'Magic edit is not configured on this server (no GEMINI_API_KEY).' }
          : {}),
      },
    ],
    duplicates: {
      credits: 0,
      description:
        'A submit with the same image bytes, operation and parameters as a completed task of the same team whose result is still kept is answered at once by a new, already completed task with a copy of that result; it costs nothing, since nothing is computed.',
    },
    retention: {
      days: config.retention.days === 0 ? null : config.retention.days,
      ...(plansApply(config)
        ? { freePlanDays: config.retention.freePlanDays === 0 ? null : config.retention.freePlanDays }
        : {}),
    },
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

const noGpuWorkerReason =
  'No gpu-worker is running: a submitted task waits in the queue until one starts (see /readyz).';

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
    default: String(upscaleScales[0]),
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

/** `magic-edit`'s parameters as `MagicEditParams` accepts them. */
const magicEditParams: ParamCapability[] = [
  {
    name: 'prompt',
    type: 'text',
    required: true,
    maxLength: maxPromptLength,
    description: 'What to change, in plain words: "make it sunset", "add a cat on the sofa".',
  },
  {
    name: 'size',
    type: 'enum',
    values: [...EditResultSize.options],
    default: 'original',
    description:
      "`original`: the result has the input's width and height, to drop in place; `model`: the model's own size (about 1 MP).",
  },
  { name: 'format', type: 'enum', values: [...ResultFormat.options], default: 'png', description: 'Result format.' },
];
