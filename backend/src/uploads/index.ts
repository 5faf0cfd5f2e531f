export { type InspectedImage, type InspectLimits, inspectImage } from './inspect-image.ts';
export { sniffImageFormat } from './sniff-image-format.ts';
