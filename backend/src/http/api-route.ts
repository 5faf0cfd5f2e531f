import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { type ErrorCode, httpStatusOf } from '@lumina/shared';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { jsonSchemaOf } from '../openapi/json-schema-of.ts';
import { browserUserOf } from './authenticate.ts';
import type { AppEnv } from './env.ts';

/** `api`: API key, plugin token or dashboard session; `browser`: a dashboard session only. */
export type Auth = 'api' | 'browser' | 'none' | 'removebg';
export type Tag = 'processing' | 'compatibility' | 'accounts' | 'webhooks' | 'plugins' | 'operations';

export interface Contract {
  readonly tag: Tag;
  readonly auth: Auth;
  /** The error codes this route answers with besides `internal_error` (and `body_too_large` for a body). */
  readonly errors: readonly ErrorCode[];
}

/**
 * A route group whose request parts are validated by the framework. A failed validation throws the ZodError to
 * the app's `onError`, which answers the one error envelope (`invalid_request` with the issues), exactly as a
 * schema's `.parse()` inside a handler used to.
 */
export const apiRoutes = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw result.error;
    },
  });

/**
 * A resource id in a path (`task_01j…`, `team_…`, a pairing code): letters, digits, `_` and `-`. Anything else
 * (a NUL byte, `..`, a 400-character string) names nothing, and is refused before it reaches the database.
 */
export const pathId = (description: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'Not an id.')
    .meta({ description });

/** Account management is for a signed-in browser only; refused before the body is even looked at. */
const requireBrowser: MiddlewareHandler<AppEnv> = async (c, next) => {
  browserUserOf(c);
  await next();
};

const securityOf = (auth: Auth) => {
  if (auth === 'none') return [];
  if (auth === 'browser') return [{ session: [] }];
  if (auth === 'removebg') return [{ removeBgKey: [] }];
  return [{ bearer: [] }, { session: [] }];
};

/** The error responses of a route: its codes grouped by their one HTTP status (`httpStatusOf`). */
function errorResponses(contract: Contract, hasBody: boolean) {
  // Every body but an upload's is refused past MAX_BODY_BYTES (`limitBody`).
  const bodyErrors: ErrorCode[] = hasBody && !contract.errors.includes('upload_too_large') ? ['body_too_large'] : [];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...contract.errors, ...bodyErrors, 'internal_error' as const]) {
    const status = httpStatusOf[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const removeBg = contract.auth === 'removebg';
  const responses: Record<string, { description: string; content: object }> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    // remove.bg answers a bad key with 403.
    responses[String(removeBg && status === 401 ? 403 : status)] = {
      description: `${removeBg ? "remove.bg's error shape" : 'Error envelope'}; the code is one of ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      content: {
        'application/json': { schema: { $ref: `#/components/schemas/${removeBg ? 'RemoveBgErrors' : 'ErrorBody'}` } },
      },
    };
  }
  return responses;
}

/**
 * `createRoute` with the route's contract beside it: its tag, who may call it (the security requirement, and for
 * `browser` the check itself) and its error codes, which become the documented error responses. The error
 * responses are left out of the route's type: handlers throw `ApiError`s, they never return an error body.
 */
export function apiRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  contract: Contract,
  route: R,
) {
  const own =
    route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  const full = {
    ...route,
    tags: [contract.tag],
    security: securityOf(contract.auth),
    middleware: contract.auth === 'browser' ? [...own, requireBrowser] : own,
    responses: { ...route.responses, ...errorResponses(contract, route.request?.body !== undefined) },
  };
  return createRoute(full as R);
}

/** A JSON body, required, with its examples named for the reference page and the curl samples. */
export const jsonBody = <S extends z.ZodType>(
  schema: S,
  examples: Record<string, { summary: string; value: z.input<S> }> = {},
) => ({
  required: true,
  content: {
    'application/json': { schema, ...(Object.keys(examples).length > 0 ? { examples } : {}) },
  },
});

/** A JSON answer. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const noContent = { description: 'Done; no body.' } as const;

/**
 * A server-sent event stream whose events each carry `schema`. OpenAPI 3.2's `itemSchema` says that; 3.1 has no
 * such field, so it rides as the extension `x-itemSchema` (the media type object's type has no room for it).
 */
export const eventStream = (schema: z.ZodType, description: string) => ({
  description,
  content: {
    'text/event-stream': {
      schema: { type: 'string' as const },
      'x-itemSchema': jsonSchemaOf(schema, 'output'),
    } as { schema: { type: 'string' } },
  },
});

export type DocumentedBody = NonNullable<NonNullable<RouteConfig['request']>['body']>;

/**
 * A request body described by hand-built JSON Schema rather than a zod schema: the framework documents it and
 * leaves reading it to the route (an upload's own parser). JSON Schema built at run time has no static shape, so
 * this is the one place it is taken as the document's type.
 */
export const documentedBody = (body: { required: boolean; content: Record<string, unknown> }): DocumentedBody =>
  body as DocumentedBody;
