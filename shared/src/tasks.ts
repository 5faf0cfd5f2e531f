import * as z from 'zod';
import { TaskErrorCode } from './errors.ts';
import { EditResultSize, Operation, ResultFormat } from './operations.ts';

export const TaskStatus = z.enum(['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELED']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const terminalStatuses: readonly TaskStatus[] = ['COMPLETED', 'FAILED', 'CANCELED'];
export const isTerminal = (status: TaskStatus): boolean => terminalStatuses.includes(status);

export const TaskId = z.string().regex(/^task_[0-9a-z]{26}$/, 'a task id looks like task_…');
export type TaskId = z.infer<typeof TaskId>;

export const TaskError = z.strictObject({ code: TaskErrorCode, message: z.string() });
export type TaskError = z.infer<typeof TaskError>;

export const ImageSize = z.strictObject({ width: z.number().int().positive(), height: z.number().int().positive() });
export type ImageSize = z.infer<typeof ImageSize>;

/**
 * How a magic edit's image was resized on its way through the model: `sent` is what the model was given (the
 * input, downscaled where it would not fit the request), `model` what it answered, and `to` which size the result
 * was brought to. `cropped` is true where the model changed the aspect ratio and the answer was centre-cropped to
 * cover the original size rather than stretched.
 */
export const ResizeInfo = z.strictObject({
  sent: ImageSize,
  model: ImageSize,
  to: EditResultSize,
  cropped: z.boolean(),
});
export type ResizeInfo = z.infer<typeof ResizeInfo>;

export const ResultInfo = z.strictObject({
  format: ResultFormat,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  resize: ResizeInfo.optional(),
});
export type ResultInfo = z.infer<typeof ResultInfo>;

/**
 * The encodings a result can be fetched in (`?format=` on its signed URL, or chosen by `Accept`): the stored
 * result converted once and kept, so the same pixels come in whichever format the client prefers.
 */
export const ResultVariantFormat = z.enum(['png', 'webp', 'avif']);
export type ResultVariantFormat = z.infer<typeof ResultVariantFormat>;

/** The longest side of a task's thumbnail (`thumbnailUrl`), in pixels. */
export const thumbnailMaxSidePx = 256;

/** `POST /api/v1/process` → 202 */
export const SubmitTaskResponse = z.strictObject({
  taskId: TaskId,
  status: TaskStatus,
  /** Seconds until the result is expected, from queue depth and recent processing times. */
  eta: z.number().nonnegative(),
  /** 0-based place in the queue; 0 means next. */
  queuePosition: z.number().int().nonnegative().nullable(),
});
export type SubmitTaskResponse = z.infer<typeof SubmitTaskResponse>;

/**
 * Where a task came from: an API key (`api_key`, or `cli` when the CLI sent it with `X-Lumina-Client: cli`), a
 * paired plugin (`figma`, `adobe-express`; `plugin` for a session paired before sessions recorded which), or the
 * web studio (a signed-in browser).
 */
export const TaskSourceKind = z.enum(['api_key', 'cli', 'figma', 'adobe-express', 'plugin', 'studio']);
export type TaskSourceKind = z.infer<typeof TaskSourceKind>;

export const TaskSource = z.strictObject({
  kind: TaskSourceKind,
  /** The API key that submitted the task (`api_key` and `cli`); null otherwise. */
  apiKeyId: z.string().nullable(),
  /** The key's name, or the plugin session's label, when the task was submitted. */
  label: z.string().nullable(),
});
export type TaskSource = z.infer<typeof TaskSource>;

/** The longest `fileName` kept for a task, in characters. */
export const taskFileNameMaxLength = 200;

/** `X-Lumina-Client` on a submit: which Lumina client sends an API key's request (only the CLI says so today). */
export const LuminaClientHeader = z.enum(['cli']);
export type LuminaClientHeader = z.infer<typeof LuminaClientHeader>;

/** `GET /api/v1/tasks/:id` */
export const TaskView = z.strictObject({
  taskId: TaskId,
  status: TaskStatus,
  operation: Operation,
  params: z.record(z.string(), z.unknown()),
  /** 0–100 */
  progress: z.number().min(0).max(100),
  eta: z.number().nonnegative().nullable(),
  queuePosition: z.number().int().nonnegative().nullable(),
  /** Signed, expiring URL; works without the bearer header. */
  resultUrl: z.string().nullable(),
  resultUrlExpiresAt: z.iso.datetime().nullable(),
  /** Signed URL of a WebP at most 256 px a side, made on first request; null until the task completes. */
  thumbnailUrl: z.string().nullable(),
  result: ResultInfo.nullable(),
  creditsReserved: z.number().int().nonnegative(),
  creditsDeducted: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  /** When the task, its result and its input are deleted (the team's retention); null while open or if kept. */
  expiresAt: z.iso.datetime().nullable(),
  /** A chained step: the task whose result was this task's input (`sourceTaskId` on submit); null for an upload. */
  sourceTaskId: TaskId.nullable().default(null),
  /** The uploaded file's name (multipart `filename`, sanitised, at most 200 characters); null when none was sent. */
  fileName: z.string().max(taskFileNameMaxLength).nullable().default(null),
  /** remove-background: whether a background image (`bg_image_file`) was put behind the subject. */
  backgroundImage: z.boolean().default(false),
  /** Who submitted the task; null for tasks from before the server recorded it. */
  source: TaskSource.nullable().default(null),
  error: TaskError.optional(),
});
export type TaskView = z.infer<typeof TaskView>;

/** `GET /api/v1/tasks` (newest first, cursor-paginated; `status`, `operation` and `source` narrow the list) */
export const TaskListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
  status: TaskStatus.optional(),
  operation: Operation.optional(),
  source: TaskSourceKind.optional(),
});
export type TaskListQuery = z.infer<typeof TaskListQuery>;

export const TaskList = z.strictObject({ data: z.array(TaskView), nextCursor: z.string().nullable() });
export type TaskList = z.infer<typeof TaskList>;
