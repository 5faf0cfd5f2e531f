import { ErrorBody, type ErrorCode, httpStatusOf } from '@lumina/shared';
import { type ApiOperation, apiOperations } from './api-operations.ts';
import { type JsonSchema, jsonSchemaOf } from './json-schema-of.ts';

const errorResponse = (codes: readonly ErrorCode[], shape: 'lumina' | 'removebg') => ({
  description: `${shape === 'lumina' ? 'Error envelope' : "remove.bg's error shape"}; the code is one of ${codes.map((c) => `\`${c}\``).join(', ')}.`,
  content: {
    'application/json': {
      schema: { $ref: `#/components/schemas/${shape === 'lumina' ? 'ErrorBody' : 'RemoveBgErrors'}` },
    },
  },
});

function operationObject(op: ApiOperation) {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers ? { headers: response.headers } : {}),
      ...(response.json
        ? { content: { 'application/json': { schema: jsonSchemaOf(response.json, 'output') } } }
        : response.content
          ? { content: response.content }
          : {}),
    };
  }
  // Each error code answers with exactly one status (`httpStatusOf`), so errors group by status.
  const byStatus = new Map<number, ErrorCode[]>();
  // Every body but an upload's is refused past MAX_BODY_BYTES (`limitBody`).
  const bodyErrors: ErrorCode[] = op.requestBody && !op.errors.includes('upload_too_large') ? ['body_too_large'] : [];
  for (const code of [...op.errors, ...bodyErrors, 'internal_error' as const]) {
    const status = httpStatusOf[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    // remove.bg answers a bad key with 403.
    const shown = op.auth === 'removebg' && status === 401 ? 403 : status;
    responses[String(shown)] = errorResponse(codes, op.auth === 'removebg' ? 'removebg' : 'lumina');
  }
  const parameters = [
    ...(op.pathParams ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(op.headers ?? []),
    ...(op.query
      ? Object.entries((jsonSchemaOf(op.query, 'input').properties ?? {}) as Record<string, JsonSchema>).map(
          ([name, schema]) => ({ name, in: 'query', required: false, schema }),
        )
      : []),
  ];
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: securityOf(op.auth),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.requestBody ? { requestBody: op.requestBody() } : {}),
    responses,
  };
}

function securityOf(auth: ApiOperation['auth']) {
  if (auth === 'none') return [];
  if (auth === 'browser') return [{ session: [] }];
  if (auth === 'removebg') return [{ removeBgKey: [] }];
  return [{ bearer: [] }, { session: [] }];
}

/** The OpenAPI 3.1 document served at `/api/v1/openapi.json`, built from the schemas the routes parse with. */
export function buildOpenApiDocument(publicBaseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of apiOperations) {
    const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lumina AI Studio API',
      version: '1',
      description:
        'Background removal, upscaling and instruction edits for images. Submit with `POST /api/v1/process`, follow the task, fetch the result from its signed URL. Every error answers with the same envelope and a stable `error.code`.',
    },
    servers: [{ url: publicBaseUrl }],
    tags: [
      { name: 'processing', description: 'Submit images and follow tasks.' },
      { name: 'compatibility', description: 'Drop-in endpoints of other image APIs.' },
      { name: 'accounts', description: 'Sign-in, sessions, teams and keys (the dashboard uses these).' },
      { name: 'webhooks', description: 'Outgoing webhooks (Standard Webhooks): endpoints, delivery logs, tests.' },
      { name: 'plugins', description: 'Device-style sign-in for the Figma and Adobe Express plugins.' },
      { name: 'operations', description: 'Health and readiness.' },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`lum_…`) or a plugin token.' },
        session: { type: 'apiKey', in: 'cookie', name: 'lumina_session', description: 'A dashboard session.' },
        removeBgKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'An API key, as remove.bg takes it.',
        },
      },
      schemas: {
        ErrorBody: jsonSchemaOf(ErrorBody, 'output'),
        RemoveBgErrors: {
          type: 'object',
          required: ['errors'],
          properties: {
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['title', 'code'],
                properties: { title: { type: 'string' }, code: { type: 'string' }, detail: { type: 'object' } },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
