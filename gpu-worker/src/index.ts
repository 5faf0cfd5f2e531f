export { createLogger, type Logger, silentLogger } from '@lumina/runtime';
export { ExecutionProvider, loadWorkerConfig, type WorkerConfig } from './config.ts';
export type { ModelOutput, ModelSession } from './inference/load-model-session.ts';
export { loadModelSession } from './inference/load-model-session.ts';
export {
  type ImageTensor,
  loadUpscaleSession,
  type UpscaleSession,
} from './inference/load-upscale-session.ts';
export {
  loadModelRegistry,
  type MaskModelEntry,
  type ModelEntry,
  type ModelRegistry,
  modelFor,
  readModelFile,
  type UpscaleModelEntry,
} from './models/registry.ts';
export { chooseUpscaleModel } from './pipeline/choose-upscale-model.ts';
export { PipelineError } from './pipeline/pipeline-error.ts';
export {
  type PipelineStage,
  type RemoveBackgroundInput,
  type RemoveBackgroundOutput,
  removeBackground,
} from './pipeline/remove-background.ts';
export { type UpscaleImageInput, type UpscaleImageOutput, upscaleImage } from './pipeline/upscale-image.ts';
export { createGpuJobProcessor } from './processor.ts';
export { type GpuWorker, type StartGpuWorkerOptions, startGpuWorker } from './worker.ts';
