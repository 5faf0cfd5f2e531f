import type { Rect } from '../lib/figma-limits.ts';

/** Pixel work the UI does on results Figma cannot take whole. */
export interface ImageCodec {
  /** The image brought to exactly `widthPx`×`heightPx`, as PNG. */
  resize(bytes: Uint8Array, widthPx: number, heightPx: number): Promise<Uint8Array>;
  /** One PNG per rectangle, cut from the image. */
  crop(bytes: Uint8Array, rects: readonly Rect[]): Promise<Uint8Array[]>;
}
