import { type CropMargin, readCropMargin } from '@lumina/shared';

export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Alpha above this counts as subject when cropping: faint halo and noise at the mask's edges do not. */
export const cropAlphaThreshold = 10;

/**
 * The subject's bounding box (alpha above `cropAlphaThreshold`) grown by the margin on every side and clamped
 * to the image; a percentage is of the subject's own width (left, right) and height (top, bottom). The whole
 * image when no pixel passes.
 */
export function cropBoxOf(
  alpha: Uint8Array,
  size: { width: number; height: number },
  margin: CropMargin | undefined,
): CropBox {
  const { width, height } = size;
  let top = -1;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if ((alpha[row + x] ?? 0) > cropAlphaThreshold) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (top < 0) top = y;
    bottom = y;
    if (first < left) left = first;
    if (last > right) right = last;
  }
  if (top < 0) return { left: 0, top: 0, width, height };

  const { amount, unit } = readCropMargin(margin);
  const subjectWidth = right - left + 1;
  const subjectHeight = bottom - top + 1;
  const marginX = Math.round(unit === '%' ? (subjectWidth * amount) / 100 : amount);
  const marginY = Math.round(unit === '%' ? (subjectHeight * amount) / 100 : amount);
  const x0 = Math.max(0, left - marginX);
  const y0 = Math.max(0, top - marginY);
  const x1 = Math.min(width - 1, right + marginX);
  const y1 = Math.min(height - 1, bottom + marginY);
  return { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}
