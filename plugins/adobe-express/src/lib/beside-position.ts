import type { Rect, Size } from './sandbox-contract.ts';

/** Space between an original and the result placed beside it, in document units. */
export const besideGapPx = 24;

/** Below this scale a result squeezed into free space is too small to be useful; it overlaps instead. */
const smallestUsefulScale = 0.5;

/**
 * Where a result of `size` goes beside `original` (both in artboard space) so that it stays inside the artboard:
 * right of it, else left, else below, else above, shrunk (never below half size) to fit the widest free band.
 * With no room at all it goes over the original, offset by the gap and clamped to the artboard, so it is
 * always visible on the page the user is looking at.
 */
export function besidePosition(original: Rect, size: Size, artboard: Size, gap = besideGapPx): Rect {
  const fit = Math.min(1, artboard.width / size.width, artboard.height / size.height);
  const full = { width: size.width * fit, height: size.height * fit };
  const clampY = (y: number, height: number) => Math.min(Math.max(0, y), artboard.height - height);
  const clampX = (x: number, width: number) => Math.min(Math.max(0, x), artboard.width - width);
  const bands = [
    { width: artboard.width - (original.x + original.width + gap), height: artboard.height, side: 'right' },
    { width: original.x - gap, height: artboard.height, side: 'left' },
    { width: artboard.width, height: artboard.height - (original.y + original.height + gap), side: 'below' },
    { width: artboard.width, height: original.y - gap, side: 'above' },
  ] as const;
  let best: { scale: number; side: (typeof bands)[number]['side'] } | undefined;
  for (const band of bands) {
    if (band.width <= 0 || band.height <= 0) continue;
    const scale = Math.min(1, band.width / full.width, band.height / full.height);
    if (!best || scale > best.scale + 1e-9) best = { scale, side: band.side };
    if (scale === 1) break;
  }
  if (!best || best.scale < smallestUsefulScale) {
    return {
      x: clampX(original.x + gap, full.width),
      y: clampY(original.y + gap, full.height),
      ...full,
    };
  }
  const width = full.width * best.scale;
  const height = full.height * best.scale;
  switch (best.side) {
    case 'right':
      return { x: original.x + original.width + gap, y: clampY(original.y, height), width, height };
    case 'left':
      return { x: original.x - gap - width, y: clampY(original.y, height), width, height };
    case 'below':
      return { x: clampX(original.x, width), y: original.y + original.height + gap, width, height };
    case 'above':
      return { x: clampX(original.x, width), y: original.y - gap - height, width, height };
  }
}
