import { OperationRequest, ProcessJsonBody, TaskId } from '@lumina/shared';
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { jsonSchemaOf } from '../openapi/json-schema-of.ts';
import type { TaskInputImage } from '../services/tasks/submit-task.ts';
import { sanitizeFileName } from '../uploads/sanitize-file-name.ts';
import { type DocumentedBody, documentedBody } from './api-route.ts';
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

/** How each operation is named where a person picks one (the reference page's variants and examples). */
const operationTitles: Record<string, string> = {
  'remove-background': 'Remove the background',
  upscale: 'Upscale',
  'magic-edit': 'Magic edit (instruction)',
};

const sourceTaskIdField = {
  type: 'string' as const,
  pattern: '^task_[0-9a-z]{26}$',
  description:
    'Instead of `image`: a completed task of the team whose result is the input (a chained step). Exactly one of `image` and `sourceTaskId`.',
};

const exampleTaskId = 'task_01jf8z6v3k2m9q4r7t5w0x1y2a';

/**
 * The body this parser reads, as the route declares it: the multipart form and the JSON body, one named
 * alternative per operation, with named examples. Described from the same shared schemas the parser uses; the
 * parser itself reads the upload (the framework's form validation would hold every field as text first).
 */
export function processRequestBody(): DocumentedBody {
  const options = (jsonSchemaOf(OperationRequest, 'input').oneOf ?? []) as Array<{
    properties: {
      operation: { const?: string };
      params: { properties?: object; required?: string[] };
    };
  }>;
  const title = (option: (typeof options)[number]) => operationTitles[option.properties.operation.const ?? ''];
  const form = options.map((option) => ({
    title: title(option),
    type: 'object' as const,
    required: ['operation', ...(option.properties.params.required ?? [])],
    properties: {
      image: { type: 'string' as const, contentMediaType: 'application/octet-stream', description: 'The image file.' },
      sourceTaskId: sourceTaskIdField,
      bg_image_file: {
        type: 'string' as const,
        contentMediaType: 'application/octet-stream',
        description: 'remove-background: a background image, scaled to cover the result and put behind the subject.',
      },
      operation: option.properties.operation,
      ...option.properties.params.properties,
    },
  }));
  const json = options.map((option) => ({
    title: title(option),
    type: 'object' as const,
    required: ['operation', 'params'],
    properties: {
      image: {
        type: 'string' as const,
        contentEncoding: 'base64',
        description: 'The image, base64 (a data: URL is accepted).',
      },
      sourceTaskId: sourceTaskIdField,
      bg_image_file: {
        type: 'string' as const,
        contentEncoding: 'base64',
        description:
          'remove-background: a background image, base64, scaled to cover the result and put behind the subject.',
      },
      operation: option.properties.operation,
      params: option.properties.params,
    },
  }));
  return documentedBody({
    required: true,
    content: {
      'multipart/form-data': {
        schema: { oneOf: form },
        examples: {
          removeBackground: {
            summary: 'Remove the background, cropped to the subject',
            value: { image: 'photo.jpg', operation: 'remove-background', crop: 'true' },
          },
          removeBackgroundOntoImage: {
            summary: 'Remove the background and put an image behind the subject',
            value: { image: 'photo.jpg', bg_image_file: 'beach.jpg', operation: 'remove-background' },
          },
          upscaleChained: {
            summary: 'Upscale a finished cut-out 4× (chained: no upload)',
            value: { sourceTaskId: exampleTaskId, operation: 'upscale', scale: '4' },
          },
          magicEdit: {
            summary: 'Edit by instruction',
            value: { image: 'photo.jpg', operation: 'magic-edit', prompt: 'Make the sky a warm sunset' },
          },
        },
      },
      'application/json': {
        schema: { oneOf: json },
        examples: {
          removeBackground: {
            summary: 'Remove the background onto white, as WebP',
            value: {
              image: 'iVBORw0KGgo…',
              operation: 'remove-background',
              params: { bg_color: 'white', format: 'webp' },
            },
          },
          upscaleChained: {
            summary: 'Upscale a finished cut-out 2× (chained: no upload)',
            value: { sourceTaskId: exampleTaskId, operation: 'upscale', params: { scale: 2 } },
          },
        },
      },
    },
  });
}
