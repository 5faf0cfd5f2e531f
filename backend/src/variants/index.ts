export { contentTypeOf, encodeVariant } from './encode-variant.ts';
export { createImageWork, type ImageWork } from './image-work.ts';
export { makeThumbnail } from './make-thumbnail.ts';
