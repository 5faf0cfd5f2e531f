import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from './env.ts';

const formTypes = ['multipart/form-data', 'application/x-www-form-urlencoded'];

/**
 * A form body that cannot be parsed (multipart without a boundary, a broken multipart envelope) is a 400 here,
 * once for every route, instead of a parser exception inside whichever handler reads it. The parsed form is
 * kept on the request, so the handler's own `parseBody()` does not read the body again.
 */
export const checkFormBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === undefined || !formTypes.includes(mediaType)) return next();
  if (mediaType === 'multipart/form-data' && !/;\s*boundary=/i.test(contentType ?? '')) {
    throw new ApiError('invalid_request', 'multipart/form-data needs a boundary parameter in Content-Type.');
  }
  try {
    await c.req.parseBody();
  } catch {
    throw new ApiError('invalid_request', `The ${mediaType} body could not be read.`);
  }
  return next();
};
