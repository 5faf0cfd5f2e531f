import { z } from 'zod';

/** Every operation Lumina sells. Later operations (upscale, magic-edit) extend this list. */
export const Operation = z.enum(['remove-background']);
export type Operation = z.infer<typeof Operation>;

export const ResultFormat = z.enum(['png', 'webp']);
export type ResultFormat = z.infer<typeof ResultFormat>;

/** Parameters of `remove-background`; names follow remove.bg where they overlap. */
export const RemoveBackgroundParams = z.strictObject({
  format: ResultFormat.default('png'),
});
export type RemoveBackgroundParams = z.infer<typeof RemoveBackgroundParams>;

/** One operation with its parameters, as stored on a task and carried by a job. */
export const OperationRequest = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('remove-background'), params: RemoveBackgroundParams }),
]);
export type OperationRequest = z.infer<typeof OperationRequest>;

/** Input image formats accepted at upload, as sniffed from the bytes (never the declared type). */
export const InputFormat = z.enum(['png', 'jpeg', 'webp', 'avif', 'heif', 'tiff', 'gif']);
export type InputFormat = z.infer<typeof InputFormat>;

export const contentTypeOf: Record<ResultFormat, string> = { png: 'image/png', webp: 'image/webp' };
