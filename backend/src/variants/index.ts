export { contentTypeOf, encodeVariant } from './encode-variant.ts';
export { makeThumbnail } from './make-thumbnail.ts';
