import { OperationRequest, ProcessJsonBody, TaskId } from '@lumina/shared';
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { TaskInputImage } from '../services/submit-task.ts';
import { sanitizeFileName } from '../uploads/sanitize-file-name.ts';
import type { AppEnv } from './env.ts';

export type ProcessRequest = TaskInputImage & {
  readonly request: OperationRequest;
  /** `bg_image_file`: a removal's background image, checked like the image itself when the task is submitted. */
  readonly background?: Uint8Array;
  /** The upload's file name (multipart `filename`), sanitised; absent for JSON and `sourceTaskId`. */
  readonly fileName?: string | null;
};

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads `POST /api/v1/process` as multipart (file in `image`) or JSON (base64 `image`), validated by the shared
 * schemas; either form may name a completed task in `sourceTaskId` instead of carrying an image.
 */
export async function readProcessRequest(c: Context<AppEnv>, maxUploadBytes: number): Promise<ProcessRequest> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) return readMultipart(c, maxUploadBytes);
  if (type.startsWith('application/json')) return readJson(c, maxUploadBytes);
  throw new ApiError(
    'invalid_request',
    'Send multipart/form-data with an `image` file (or a `sourceTaskId`), or JSON with a base64 `image` (or a `sourceTaskId`).',
  );
}

async function readMultipart(c: Context<AppEnv>, maxUploadBytes: number): Promise<ProcessRequest> {
  const form = await c.req.parseBody({ all: true });
  const { image, operation, sourceTaskId, bg_image_file, ...fields } = form;
  const request = parseOperation(operation, textFields(fields));
  const background =
    bg_image_file === undefined ? {} : { background: await fileBytes(bg_image_file, 'bg_image_file', maxUploadBytes) };
  if (sourceTaskId !== undefined) {
    if (image !== undefined) throw new ApiError('invalid_request', 'Send either `image` or `sourceTaskId`, not both.');
    const taskId = TaskId.safeParse(sourceTaskId);
    if (!taskId.success) throw new ApiError('invalid_request', '`sourceTaskId` must be one task id (task_…).');
    return { sourceTaskId: taskId.data, request, ...background };
  }
  if (image === undefined) {
    throw new ApiError('invalid_request', 'The form needs the image file in the `image` field, or a `sourceTaskId`.');
  }
  const bytes = await fileBytes(image, 'image', maxUploadBytes);
  const fileName = image instanceof File ? sanitizeFileName(image.name) : null;
  return { image: bytes, request, fileName, ...background };
}

async function fileBytes(value: unknown, field: string, maxUploadBytes: number): Promise<Uint8Array> {
  if (!(value instanceof File)) throw new ApiError('invalid_request', `\`${field}\` must be one uploaded file.`);
  if (value.size === 0) throw new ApiError('empty_upload', `The uploaded file in \`${field}\` is empty.`);
  if (value.size > maxUploadBytes) throw tooLarge(maxUploadBytes);
  return new Uint8Array(await value.arrayBuffer());
}

function textFields(fields: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string')
      throw new ApiError('invalid_request', `Field \`${name}\` must be given once, as text.`);
    params[name] = value;
  }
  return params;
}

async function readJson(c: Context<AppEnv>, maxUploadBytes: number): Promise<ProcessRequest> {
  const raw: unknown = await c.req.json().catch(() => {
    throw new ApiError('invalid_request', 'The body is not valid JSON.');
  });
  const body = ProcessJsonBody.parse(raw);
  const request = parseOperation(body.operation, body.params);
  const background =
    body.bg_image_file === undefined
      ? {}
      : { background: base64Bytes(body.bg_image_file, 'bg_image_file', maxUploadBytes) };
  if (body.image === undefined) {
    if (body.sourceTaskId === undefined) throw new ApiError('invalid_request', 'Send `image` or `sourceTaskId`.');
    return { sourceTaskId: body.sourceTaskId, request, ...background };
  }
  return { image: base64Bytes(body.image, 'image', maxUploadBytes), request, ...background };
}

function base64Bytes(text: string, field: string, maxUploadBytes: number): Uint8Array {
  const encoded = text.replace(/^data:[^;,]*;base64,/, '').replace(/\s+/g, '');
  if (!base64.test(encoded)) throw new ApiError('invalid_request', `\`${field}\` is not valid base64.`);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length === 0) throw new ApiError('empty_upload', `The image in \`${field}\` is empty.`);
  if (bytes.length > maxUploadBytes) throw tooLarge(maxUploadBytes);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function parseOperation(operation: unknown, params: Record<string, unknown>): OperationRequest {
  const parsed = OperationRequest.safeParse({ operation, params });
  if (parsed.success) return parsed.data;
  // A magic edit whose only fault is its instruction gets a code of its own, for the plugins to say so.
  const promptOnly = parsed.error.issues.every((i) => i.path[0] === 'params' && i.path[1] === 'prompt');
  throw new ApiError(promptOnly ? 'invalid_prompt' : 'invalid_request', z.prettifyError(parsed.error), {
    issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

const tooLarge = (maxUploadBytes: number) =>
  new ApiError('upload_too_large', `The image is larger than ${maxUploadBytes} bytes.`, { maxUploadBytes });
