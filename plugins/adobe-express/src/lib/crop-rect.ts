import type { Rect, Size } from './sandbox-contract.ts';

/**
 * The pixel rectangle of a page rendition that shows `bounds` (in page units): the rendition may be larger or
 * smaller than the page, so scale, then round outwards and clamp to the rendition.
 */
export function cropRect(bounds: Rect, pageSize: Size, rendition: Size): Rect | null {
  const scaleX = rendition.width / pageSize.width;
  const scaleY = rendition.height / pageSize.height;
  const left = Math.max(0, Math.floor(bounds.x * scaleX));
  const top = Math.max(0, Math.floor(bounds.y * scaleY));
  const right = Math.min(rendition.width, Math.ceil((bounds.x + bounds.width) * scaleX));
  const bottom = Math.min(rendition.height, Math.ceil((bounds.y + bounds.height) * scaleY));
  if (right <= left || bottom <= top) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Express imports images up to 8192 px a side. */
export const maxImportSidePx = 8192;
export const fitsExpressImport = (size: Size): boolean =>
  size.width <= maxImportSidePx && size.height <= maxImportSidePx;
