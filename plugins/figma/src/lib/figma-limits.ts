/** `figma.createImage` refuses images wider or taller than this. */
export const maxFigmaImageSidePx = 4096;

export const fitsFigma = (widthPx: number, heightPx: number): boolean =>
  widthPx <= maxFigmaImageSidePx && heightPx <= maxFigmaImageSidePx;

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** Tiles of at most `maxFigmaImageSidePx` on a side covering a `widthPx`×`heightPx` image, row by row. */
export function tilesOf(widthPx: number, heightPx: number, tileSidePx = maxFigmaImageSidePx): Rect[] {
  const tiles: Rect[] = [];
  for (let y = 0; y < heightPx; y += tileSidePx) {
    for (let x = 0; x < widthPx; x += tileSidePx) {
      tiles.push({ x, y, widthPx: Math.min(tileSidePx, widthPx - x), heightPx: Math.min(tileSidePx, heightPx - y) });
    }
  }
  return tiles;
}

/** The size a `widthPx`×`heightPx` image is brought to so that its longer side is `maxFigmaImageSidePx`. */
export function downscaledSize(widthPx: number, heightPx: number): { widthPx: number; heightPx: number } {
  const ratio = Math.min(1, maxFigmaImageSidePx / Math.max(widthPx, heightPx));
  return { widthPx: Math.max(1, Math.round(widthPx * ratio)), heightPx: Math.max(1, Math.round(heightPx * ratio)) };
}
