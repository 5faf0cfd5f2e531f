import { type RemoveBackgroundParams, readBackgroundColor } from '@lumina/shared';
import { type CropBox, cropBoxOf } from './crop-box-of.ts';
import type { DecodedImage } from './decode-image.ts';
import type { Raster } from './encode-image.ts';

/**
 * The raster to encode from the masked image and its alpha plane: cropped to the subject when asked, then the
 * mask alone (`channels=alpha`), or the cut-out over `bg_color`, or the cut-out as it is. One pass over the
 * kept pixels into one typed buffer; no allocation per pixel.
 */
export function finishCutout(image: DecodedImage, alpha: Buffer, params: RemoveBackgroundParams): Raster {
  const box: CropBox = params.crop
    ? cropBoxOf(alpha, image, params.crop_margin)
    : { left: 0, top: 0, width: image.width, height: image.height };
  const whole = box.width === image.width && box.height === image.height;

  if (params.channels === 'alpha') {
    return { pixels: whole ? alpha : copyBox(alpha, image.width, 1, box), ...size(box), channels: 1 };
  }
  const rgba = whole ? image.pixels : copyBox(image.pixels, image.width, 4, box);
  if (params.bg_color === undefined) return { pixels: rgba, ...size(box), channels: 4 };
  return fillBackground(rgba, box, readBackgroundColor(params.bg_color));
}

const size = (box: CropBox) => ({ width: box.width, height: box.height });

/** The rows of `box` from an interleaved buffer `stride` pixels wide, one row copy each. */
function copyBox(source: Buffer, stride: number, channels: number, box: CropBox): Buffer {
  const rowBytes = box.width * channels;
  const out = Buffer.allocUnsafe(rowBytes * box.height);
  for (let y = 0; y < box.height; y++) {
    const start = ((box.top + y) * stride + box.left) * channels;
    source.copy(out, y * rowBytes, start, start + rowBytes);
  }
  return out;
}

/**
 * The cut-out composited over a solid colour, on straight (not premultiplied) sRGB values: out = fg·a + bg·(1−a).
 * An opaque fill leaves nothing transparent, so the result drops its alpha channel; a translucent one uses the
 * general "over" operator and keeps it.
 */
function fillBackground(rgba: Buffer, box: CropBox, [bgR, bgG, bgB, bgA]: [number, number, number, number]): Raster {
  const count = box.width * box.height;
  if (bgA === 255) {
    const rgb = Buffer.allocUnsafe(count * 3);
    for (let i = 0, s = 0, d = 0; i < count; i++, s += 4, d += 3) {
      const a = rgba[s + 3] ?? 0;
      const b = 255 - a;
      rgb[d] = ((rgba[s] ?? 0) * a + bgR * b + 127) / 255;
      rgb[d + 1] = ((rgba[s + 1] ?? 0) * a + bgG * b + 127) / 255;
      rgb[d + 2] = ((rgba[s + 2] ?? 0) * a + bgB * b + 127) / 255;
    }
    return { pixels: rgb, ...size(box), channels: 3 };
  }
  const out = Buffer.allocUnsafe(count * 4);
  for (let s = 0; s < count * 4; s += 4) {
    const a = (rgba[s + 3] ?? 0) / 255;
    const under = (bgA / 255) * (1 - a);
    const outA = a + under;
    const k = outA > 0 ? 1 / outA : 0;
    out[s] = ((rgba[s] ?? 0) * a + bgR * under) * k + 0.5;
    out[s + 1] = ((rgba[s + 1] ?? 0) * a + bgG * under) * k + 0.5;
    out[s + 2] = ((rgba[s + 2] ?? 0) * a + bgB * under) * k + 0.5;
    out[s + 3] = outA * 255 + 0.5;
  }
  return { pixels: out, ...size(box), channels: 4 };
}
