import type { ErrorBody } from '@lumina/shared';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { AppEnv } from './env.ts';

/** Maps anything thrown in a route to the one error envelope; unexpected errors are logged, never leaked. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof z.ZodError) {
    return new ApiError('invalid_request', z.prettifyError(error), {
      issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  if (error instanceof HTTPException && error.status === 413) {
    return new ApiError('upload_too_large', 'The upload is larger than the limit.');
  }
  if (error instanceof HTTPException && error.status < 500) {
    return new ApiError('invalid_request', error.message || 'The request could not be read.');
  }
  return new ApiError('internal_error', 'Something went wrong on our side; the request can be retried.');
}

export function errorResponse(c: Context<AppEnv>, error: ApiError) {
  // Whatever says when to come back (a busy server, a rate limit) says it in the header clients read too.
  const retryAfterSeconds = error.details?.retryAfterSeconds;
  if (typeof retryAfterSeconds === 'number') c.header('Retry-After', String(retryAfterSeconds));
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      requestId: c.get('requestId'),
      ...(error.details ? { details: error.details } : {}),
    },
  };
  return c.json(body, error.status);
}
