import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from './env.ts';

// A control character (U+0000–U+001F, U+007F) as a parsed URL's path holds it: percent-encoded.
const controlCharacter = /%(?:[01][0-9a-f]|7f)/i;

/**
 * No route names anything with a control character in its path: such a request is a 404 before any handler runs.
 * Without this a NUL byte in an id reached PostgreSQL, which cannot store one in text, and answered 500.
 */
export const refuseControlCharacters: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (controlCharacter.test(new URL(c.req.url).pathname)) {
    throw new ApiError('not_found', 'No resource has a control character in its path.');
  }
  await next();
};
