import * as z from 'zod';
import { InputFormat, Operation, ResultFormat } from './operations.ts';

/** One parameter of an operation, described well enough for a plugin to build its control from it. */
export const ParamCapability = z.strictObject({
  name: z.string(),
  /** `enum` and `color` list their `values` (for `color`, the accepted names; hex is always accepted). */
  type: z.enum(['enum', 'boolean', 'margin', 'color', 'text']),
  /** Set where the parameter must be given. */
  required: z.boolean().optional(),
  /** For `text`: the most characters it may have. */
  maxLength: z.number().int().positive().optional(),
  values: z.array(z.string()).optional(),
  default: z.union([z.string(), z.boolean()]).optional(),
  /** For `margin`: the largest value per unit. */
  max: z.strictObject({ px: z.number(), percent: z.number() }).optional(),
  description: z.string(),
});
export type ParamCapability = z.infer<typeof ParamCapability>;

export const OperationCapability = z.strictObject({
  operation: Operation,
  available: z.boolean(),
  /** Credits charged for one completed task (the least, where the price grows with the output); failed or
   * canceled tasks cost nothing. */
  credits: z.number().int().positive(),
  /** Set where the price grows with the output: `credits` for every started `outputPixels` of result. */
  creditsPerOutputPixels: z
    .strictObject({ credits: z.number().int().positive(), outputPixels: z.number().int() })
    .optional(),
  /**
   * Set where the price depends on the model (upscale): each model's `credits` per started `outputPixels` of
   * result, from its measured compute relative to the cheapest (`relativeCost`); `creditsPerOutputPixels` is the
   * cheapest model's.
   */
  models: z
    .array(
      z.strictObject({
        model: z.string(),
        credits: z.number().int().positive(),
        outputPixels: z.number().int(),
        relativeCost: z.number().positive(),
      }),
    )
    .optional(),
  resultFormats: z.array(ResultFormat),
  params: z.array(ParamCapability),
  reason: z.string().optional(),
});
export type OperationCapability = z.infer<typeof OperationCapability>;

/**
 * How a submit is answered when the same team already has a completed task with the same input bytes,
 * operation and parameters whose result is still stored: a new task, completed at once with a copy of that
 * result. `credits` is what such a task costs (0: nothing was computed).
 */
export const DuplicateSubmits = z.strictObject({ credits: z.number().int().nonnegative(), description: z.string() });
export type DuplicateSubmits = z.infer<typeof DuplicateSubmits>;

/**
 * How long a finished task, its input and its result are kept, in days after it finished; null: kept until
 * deleted otherwise. `freePlanDays` is set where plans apply (billing on) and free-plan teams keep results less long.
 */
export const Retention = z.strictObject({
  days: z.number().int().positive().nullable(),
  freePlanDays: z.number().int().positive().nullable().optional(),
});
export type Retention = z.infer<typeof Retention>;

/** `GET /api/v1/capabilities` */
export const Capabilities = z.strictObject({
  operations: z.array(OperationCapability),
  duplicates: DuplicateSubmits,
  retention: Retention,
  limits: z.strictObject({
    maxUploadBytes: z.number().int().positive(),
    maxInputPixels: z.number().int().positive(),
    maxInputSidePx: z.number().int().positive(),
    inputFormats: z.array(InputFormat),
    maxPreferWaitSeconds: z.number().int().positive(),
    maxOutputPixels: z.number().int().positive(),
    maxOutputSidePx: z.number().int().positive(),
  }),
});
export type Capabilities = z.infer<typeof Capabilities>;
