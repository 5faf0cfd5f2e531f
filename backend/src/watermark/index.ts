export { applyWatermark, type WatermarkFormat } from './apply-watermark.ts';
