import { createMiddleware } from 'hono/factory';
import { ApiError } from '../errors.ts';
import { authenticateApiKey } from '../services/authenticate-api-key.ts';
import type { AppEnv } from './env.ts';

/** `Authorization: Bearer <api key>` → `c.var.principal`; anything else is a 401 in the error envelope. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]) throw new ApiError('unauthorized', 'Send the API key as `Authorization: Bearer <key>`.');
  c.set('principal', await authenticateApiKey({ ctx: c.var.ctx, input: { secret: match[1] } }));
  await next();
});
