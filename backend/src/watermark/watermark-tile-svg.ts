/**
 * The watermark tile as SVG, with the word drawn from strokes defined here rather than with `<text>`: a server
 * without fonts would render `<text>` as nothing or as boxes, and the mark must look the same everywhere.
 */

/** One letter: stroke paths on a grid 5 units high, and how many units wide it is. */
interface Glyph {
  readonly widthUnits: number;
  readonly path: string;
}

const glyphs = {
  L: { widthUnits: 3.5, path: 'M0 0V5H3.5' },
  U: { widthUnits: 3.5, path: 'M0 0V5H3.5V0' },
  M: { widthUnits: 4, path: 'M0 5V0L2 2.5L4 0V5' },
  I: { widthUnits: 2, path: 'M0 0H2M1 0V5M0 5H2' },
  N: { widthUnits: 3.5, path: 'M0 5V0L3.5 5V0' },
  A: { widthUnits: 3.5, path: 'M0 5L1.75 0L3.5 5M0.7 3H2.8' },
} as const satisfies Record<string, Glyph>;

const word: readonly (keyof typeof glyphs)[] = ['L', 'U', 'M', 'I', 'N', 'A'];

const glyphHeightUnits = 5;
const letterGapUnits = 1.8;
/** The light stroke that forms the letters. */
const fillStrokeUnits = 1;
/** The dark stroke under it; what sticks out on each side is the outline that shows on white. */
const outlineStrokeUnits = 2.2;

/** The word's path data, laid out left to right from the origin, and its size in grid units. */
const wordLayout = (() => {
  let x = 0;
  const parts: string[] = [];
  for (const letter of word) {
    const glyph: Glyph = glyphs[letter];
    parts.push(`<path transform="translate(${x} 0)" d="${glyph.path}"/>`);
    x += glyph.widthUnits + letterGapUnits;
  }
  return { paths: parts.join(''), widthUnits: x - letterGapUnits };
})();

/** The word's length as a fraction of the tile side: as large as it can be without touching its neighbours. */
const wordLengthOfTile = 0.62;
const angleDeg = -30;
/** Applied to the whole mark at once, so the light stroke over the dark one does not add up. */
const markOpacity = 0.6;

/**
 * A square tile `tileSizePx` wide that repeats seamlessly: one word at its centre and one at each corner, the
 * corner words cut by the tile's edges and joined again by the neighbouring tiles (a staggered, diagonal
 * pattern). `widthPx`/`heightPx` below the tile size crop it, for images smaller than one tile.
 */
export const watermarkTileSvg = ({
  tileSizePx,
  widthPx,
  heightPx,
}: {
  tileSizePx: number;
  widthPx: number;
  heightPx: number;
}): string => {
  const scale = (tileSizePx * wordLengthOfTile) / wordLayout.widthUnits;
  const centres: readonly (readonly [number, number])[] = [
    [tileSizePx / 2, tileSizePx / 2],
    [0, 0],
    [tileSizePx, 0],
    [0, tileSizePx],
    [tileSizePx, tileSizePx],
  ];
  const copies = centres
    .map(
      ([x, y]) =>
        `<use href="#w" transform="translate(${x} ${y}) rotate(${angleDeg}) scale(${scale}) ` +
        `translate(${-wordLayout.widthUnits / 2} ${-glyphHeightUnits / 2})"/>`,
    )
    .join('');
  const strokeStyle = 'fill="none" stroke-linecap="square" stroke-linejoin="miter" stroke-miterlimit="2"';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" ` +
    `viewBox="0 0 ${widthPx} ${heightPx}">` +
    `<defs><g id="w" ${strokeStyle}>` +
    `<g stroke="#000" stroke-width="${outlineStrokeUnits}">${wordLayout.paths}</g>` +
    `<g stroke="#fff" stroke-width="${fillStrokeUnits}">${wordLayout.paths}</g>` +
    `</g></defs>` +
    `<g opacity="${markOpacity}">${copies}</g>` +
    `</svg>`
  );
};
