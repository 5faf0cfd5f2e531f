import { contentTypeOf, type EditResultSize, type ImageSize, type ResizeInfo, type ResultFormat } from '@lumina/shared';
import sharp from 'sharp';
import { EditFailure } from './edit-failure.ts';

export interface FinishedEdit {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  readonly resize: ResizeInfo;
}

/** Aspect ratios closer than this count as the same: rounding, not a changed frame. */
const aspectTolerance = 0.01;

/**
 * Turns the model's image into the task's result. With `size: original` the answer is brought back to the
 * input's width and height; where the model changed the aspect ratio, it is scaled to cover that size and
 * centre-cropped, never stretched. The result is encoded as the task asked.
 */
export async function finishEdit(input: {
  modelImage: Buffer;
  original: ImageSize;
  sent: ImageSize;
  size: EditResultSize;
  format: ResultFormat;
}): Promise<FinishedEdit> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input.modelImage).metadata();
  } catch (error) {
    throw new EditFailure('model_failed', `The model's image could not be decoded: ${(error as Error).message}`);
  }
  if (!meta.width || !meta.height) throw new EditFailure('model_failed', "The model's image has no dimensions.");
  const model = { width: meta.width, height: meta.height };
  const target = input.size === 'original' ? input.original : model;
  const cropped =
    input.size === 'original' &&
    Math.abs(model.width / model.height / (target.width / target.height) - 1) > aspectTolerance;

  let pipeline = sharp(input.modelImage);
  if (target.width !== model.width || target.height !== model.height) {
    pipeline = pipeline.resize(target.width, target.height, { fit: 'cover', position: 'centre' });
  }
  const bytes =
    input.format === 'webp' ? await pipeline.webp({ quality: 90 }).toBuffer() : await pipeline.png().toBuffer();
  return {
    bytes,
    contentType: contentTypeOf[input.format],
    width: target.width,
    height: target.height,
    resize: { sent: input.sent, model, to: input.size, cropped },
  };
}
