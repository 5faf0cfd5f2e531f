import { z } from 'zod';
import { InputFormat, Operation, ResultFormat } from './operations.ts';

export const OperationCapability = z.strictObject({
  operation: Operation,
  available: z.boolean(),
  /** Credits charged for one completed task; failed or canceled tasks cost nothing. */
  credits: z.number().int().positive(),
  resultFormats: z.array(ResultFormat),
  reason: z.string().optional(),
});
export type OperationCapability = z.infer<typeof OperationCapability>;

/** `GET /api/v1/capabilities` */
export const Capabilities = z.strictObject({
  operations: z.array(OperationCapability),
  limits: z.strictObject({
    maxUploadBytes: z.number().int().positive(),
    maxInputPixels: z.number().int().positive(),
    maxInputSidePx: z.number().int().positive(),
    inputFormats: z.array(InputFormat),
    maxPreferWaitSeconds: z.number().int().positive(),
  }),
});
export type Capabilities = z.infer<typeof Capabilities>;
