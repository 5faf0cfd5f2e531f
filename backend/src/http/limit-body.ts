import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { AppEnv } from './env.ts';
import { errorResponse } from './error-response.ts';

/** The routes that take an image in the body, and so the upload limit instead of the default. */
export const uploadPaths: readonly string[] = ['/api/v1/process', '/v1.0/removebg'];

/** Room for the multipart envelope and the text fields around the image. */
const multipartOverheadBytes = 256 * 1024;

/**
 * Every request body is bounded before anything reads it: uploads by MAX_UPLOAD_BYTES (base64 JSON and the
 * multipart envelope included), everything else by MAX_BODY_BYTES, so a 200 MB JSON body to an unauthenticated
 * route costs nothing. Refused while streaming: a Content-Length over the limit is answered before the body is
 * read, and a chunked body is cut off as soon as it passes the limit.
 */
export function limitBody(limits: Config['limits']): MiddlewareHandler<AppEnv> {
  const uploadLimit = bodyLimit({
    maxSize: Math.ceil((limits.maxUploadBytes * 4) / 3) + multipartOverheadBytes,
    onError: (c) =>
      errorResponse(c, new ApiError('upload_too_large', `The upload is larger than ${limits.maxUploadBytes} bytes.`)),
  });
  const defaultLimit = bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: (c) =>
      errorResponse(
        c,
        new ApiError('body_too_large', `The request body is larger than ${limits.maxBodyBytes} bytes.`, {
          maxBodyBytes: limits.maxBodyBytes,
        }),
      ),
  });
  return (c, next) => (uploadPaths.includes(c.req.path) ? uploadLimit(c, next) : defaultLimit(c, next));
}
