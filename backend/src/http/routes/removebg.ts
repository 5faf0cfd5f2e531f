import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import {
  type RemoveBgFields,
  RemoveBgFields as RemoveBgFieldsSchema,
  readRemoveBgFields,
} from '../../compat/removebg-request.ts';
import { shapeRemoveBgResult } from '../../compat/removebg-result.ts';
import { ApiError } from '../../errors.ts';
import { jsonSchemaOf } from '../../openapi/json-schema-of.ts';
import { authenticateApiKey } from '../../services/accounts/authenticate-api-key.ts';
import { describeTaskSource } from '../../services/tasks/describe-task-source.ts';
import { removeBackgroundNow } from '../../services/tasks/remove-background-now.ts';
import { sanitizeFileName } from '../../uploads/sanitize-file-name.ts';
import { apiRoute, apiRoutes, documentedBody } from '../api-route.ts';
import type { AppEnv } from '../env.ts';
import { toApiError } from '../error-response.ts';
import { apiCostUnits, apiRateLimit, limitAuthFailures } from '../rate-limit.ts';

/** How long the synchronous endpoint waits for the result before it cancels the task. */
const syncWaitMs = 120_000;

/**
 * remove.bg's `POST /v1.0/removebg`, so an integration switches by changing its base URL and key: `X-Api-Key`,
 * the same field names, the image (or `{"data": {"result_b64", …}}` for `Accept: application/json`) with the same
 * `X-Width` / `X-Height` / `X-Foreground-*` / `X-Credits-Charged` headers, and remove.bg's error shape
 * `{"errors": [{"title", "code"}]}`. The work is an ordinary Lumina task: priced, metered and listed as usual.
 */
/** remove.bg's `X-Api-Key` (or a bearer header): an API key of the team that pays. */
const removeBgKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header('x-api-key') ?? /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!key) throw new ApiError('unauthorized', 'Send your API key in the X-Api-Key header.');
  await limitAuthFailures(c, async () => {
    c.set('principal', await authenticateApiKey({ ctx: c.var.ctx, input: { secret: key } }));
  });
  await next();
};

const fieldsSchema = () => jsonSchemaOf(RemoveBgFieldsSchema, 'input');
const file = (description: string) => ({ type: 'string', contentMediaType: 'application/octet-stream', description });

/** The form and the JSON body as remove.bg documents them; read by `readRequest` below, not by the framework. */
const removeBgBody = () => {
  const fields = fieldsSchema();
  const properties = (fields.properties ?? {}) as Record<string, unknown>;
  return documentedBody({
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          ...fields,
          properties: {
            image_file: file('The image.'),
            ...properties,
            bg_image_file: file('A background image, scaled to cover and put behind the subject.'),
          },
        },
        examples: {
          cutOut: {
            summary: 'A cut-out, cropped to the subject',
            value: { image_file: 'photo.jpg', size: 'auto', crop: 'true' },
          },
          onColour: {
            summary: 'On a colour, as JPEG',
            value: { image_file: 'photo.jpg', bg_color: '81d4fa', format: 'jpg' },
          },
        },
      },
      'application/json': {
        schema: fields,
        examples: {
          base64: { summary: 'A base64 image', value: { image_file_b64: 'iVBORw0KGgo…', size: 'auto' } },
        },
      },
    },
  });
};

const foregroundBox = { type: 'integer' as const };

export const removeBgRoutes = apiRoutes()
  .openapi(
    apiRoute(
      {
        tag: 'compatibility',
        auth: 'removebg',
        errors: [
          'unauthorized',
          'invalid_request',
          'empty_upload',
          'upload_too_large',
          'unsupported_media_type',
          'image_corrupt',
          'image_too_large',
          'insufficient_credits',
          'unknown_foreground',
          'processing_failed',
          'processing_timeout',
          'rate_limited',
        ],
      },
      {
        method: 'post',
        path: '/removebg',
        operationId: 'removeBgCompatible',
        summary: 'remove.bg-compatible background removal, answered in the same request',
        description:
          'Same field names, headers and error shape as remove.bg: `X-Api-Key`, `image_file` or `image_file_b64`, `size`, `format` (`auto`, `png`, `jpg`, `webp`), `crop`, `crop_margin`, `bg_color`, `bg_image_file` (an uploaded background image, scaled to cover and put behind the subject), `channels`; `type` and `semitransparency` are accepted and need nothing. `image_url`, `bg_image_url`, `roi`, `scale`, `position`, shadows and `format=zip` are refused by name. Answers the image with `X-Credits-Charged`, `X-Width`, `X-Height`, `X-Foreground-Top/Left/Width/Height`, or `{"data": {"result_b64", "foreground_*"}}` for `Accept: application/json`. Errors: `{"errors": [{"title", "code"}]}`; a bad key is 403; a task not finished within 120 s is canceled (`504 processing_timeout`).',
        middleware: [removeBgKey, apiRateLimit(apiCostUnits.submit)],
        request: { body: removeBgBody() },
        responses: {
          200: {
            description: 'The image (or JSON with `result_b64`).',
            content: {
              'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
              'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } },
              'image/webp': { schema: { type: 'string', contentMediaType: 'image/webp' } },
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: {
                      type: 'object',
                      properties: {
                        result_b64: { type: 'string' },
                        foreground_top: foregroundBox,
                        foreground_left: foregroundBox,
                        foreground_width: foregroundBox,
                        foreground_height: foregroundBox,
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ),

    async (c) => {
      const { fields, image, background, fileName } = await readRequest(c);
      const request = readRemoveBgFields(fields, background !== undefined);
      if ('unsupported' in request) {
        throw new ApiError('invalid_request', `Not supported here: ${request.unsupported}.`, {
          unsupported: request.unsupported,
        });
      }
      const done = await removeBackgroundNow({
        ctx: c.var.ctx,
        input: {
          teamId: c.var.principal.teamId,
          image,
          background,
          fileName,
          source: await describeTaskSource({ ctx: c.var.ctx, input: { principal: c.var.principal } }),
          params: request.params,
          timeoutMs: syncWaitMs,
          signal: c.req.raw.signal,
          requestId: c.var.requestId,
        },
      });
      const result = await shapeRemoveBgResult(done.png, {
        format: request.format,
        maxMegapixels: request.maxMegapixels,
        fill: request.params.bg_color,
      });
      const headers = {
        'X-Credits-Charged': String(done.creditsCharged),
        'X-Type': 'other',
        'X-Width': String(result.width),
        'X-Height': String(result.height),
        'X-Foreground-Top': String(result.foreground.top),
        'X-Foreground-Left': String(result.foreground.left),
        'X-Foreground-Width': String(result.foreground.width),
        'X-Foreground-Height': String(result.foreground.height),
        'X-Lumina-Task-Id': done.taskId,
      };
      if ((c.req.header('accept') ?? '').includes('application/json')) {
        return c.json(
          {
            data: {
              result_b64: result.bytes.toString('base64'),
              foreground_top: result.foreground.top,
              foreground_left: result.foreground.left,
              foreground_width: result.foreground.width,
              foreground_height: result.foreground.height,
            },
          },
          200,
          headers,
        );
      }
      return c.body(new Uint8Array(result.bytes), 200, { ...headers, 'Content-Type': result.contentType });
    },
  )
  .onError((error, c) => {
    const apiError = toApiError(error);
    // remove.bg answers a bad key with 403; everything else keeps Lumina's status for its code.
    const status = apiError.code === 'unauthorized' ? 403 : apiError.status;
    const body = {
      errors: [
        { title: apiError.message, code: apiError.code, ...(apiError.details ? { detail: apiError.details } : {}) },
      ],
    };
    return c.json(body, status);
  });

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The image (`image_file` upload or `image_file_b64`), the background image (`bg_image_file` upload) and the
 * other fields, from a form or a JSON body.
 */
async function readRequest(c: Context<AppEnv>): Promise<{
  fields: RemoveBgFields;
  image: Uint8Array;
  background: Uint8Array | undefined;
  fileName?: string | null;
}> {
  const type = c.req.header('content-type') ?? '';
  const maxBytes = c.var.ctx.config.limits.maxUploadBytes;
  let raw: Record<string, unknown>;
  let file: File | undefined;
  let background: Uint8Array | undefined;
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    const form = await c.req.parseBody();
    const { image_file, bg_image_file, ...rest } = form;
    if (image_file instanceof File) file = image_file;
    if (bg_image_file instanceof File) {
      if (bg_image_file.size === 0) throw new ApiError('empty_upload', 'The uploaded bg_image_file is empty.');
      if (bg_image_file.size > maxBytes) {
        throw new ApiError('upload_too_large', `The background image is larger than ${maxBytes} bytes.`);
      }
      background = new Uint8Array(await bg_image_file.arrayBuffer());
    }
    raw = bg_image_file instanceof File || bg_image_file === undefined ? rest : { ...rest, bg_image_file };
  } else if (type.startsWith('application/json')) {
    raw = z.record(z.string(), z.unknown()).parse(await c.req.json().catch(() => ({})));
  } else {
    throw new ApiError('invalid_request', 'Send multipart/form-data with image_file, or JSON with image_file_b64.');
  }
  const fields = RemoveBgFieldsSchema.parse(raw);
  if (file) {
    if (file.size === 0) throw new ApiError('empty_upload', 'The uploaded file is empty.');
    if (file.size > maxBytes) throw new ApiError('upload_too_large', `The image is larger than ${maxBytes} bytes.`);
    return {
      fields,
      image: new Uint8Array(await file.arrayBuffer()),
      background,
      fileName: sanitizeFileName(file.name),
    };
  }
  if (fields.image_file_b64 !== undefined) {
    const encoded = fields.image_file_b64.replace(/^data:[^;,]*;base64,/, '').replace(/\s+/g, '');
    if (!base64.test(encoded)) throw new ApiError('invalid_request', 'image_file_b64 is not valid base64.');
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length === 0) throw new ApiError('empty_upload', 'The image is empty.');
    if (bytes.length > maxBytes) throw new ApiError('upload_too_large', `The image is larger than ${maxBytes} bytes.`);
    return { fields, image: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), background };
  }
  if (fields.image_url) return { fields, image: new Uint8Array(), background }; // refused by name in readRemoveBgFields
  throw new ApiError('invalid_request', 'Send the image as image_file (upload) or image_file_b64.');
}
