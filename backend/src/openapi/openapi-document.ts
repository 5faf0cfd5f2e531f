import type { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody } from '@lumina/shared';
import type { Env } from 'hono';
import { codeSamplesOf } from './code-samples.ts';
import { jsonSchemaOf } from './json-schema-of.ts';

const tags = [
  { name: 'processing', description: 'Submit images and follow tasks.' },
  { name: 'compatibility', description: 'Drop-in endpoints of other image APIs.' },
  { name: 'accounts', description: 'Sign-in, sessions, teams and keys (the dashboard uses these).' },
  { name: 'webhooks', description: 'Outgoing webhooks (Standard Webhooks): endpoints, delivery logs, tests.' },
  { name: 'plugins', description: 'Device-style sign-in for the Figma and Adobe Express plugins.' },
  { name: 'operations', description: 'Health and readiness.' },
];

const components = {
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`lum_…`) or a plugin token.' },
    session: { type: 'apiKey', in: 'cookie', name: 'lumina_session', description: 'A dashboard session.' },
    removeBgKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'An API key, as remove.bg takes it.' },
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
} as const;

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Array<Record<string, unknown>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: object }>;
  requestBody?: {
    content: Record<string, { schema: object; examples?: Record<string, { summary?: string; value: unknown }> }>;
  };
  responses: Record<string, { description: string; content?: Record<string, { schema?: object }> }>;
  'x-codeSamples'?: Array<{ lang: string; label: string; source: string }>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string; description: string }>;
  components: object;
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/**
 * The OpenAPI 3.1 document served at `/api/v1/openapi.json`, generated from the routes' own declarations
 * (`createRoute`), with the security schemes, tags and shared error bodies they refer to, and a curl sample for
 * every operation (`x-codeSamples`, from its named examples).
 */
export function buildOpenApiDocument<E extends Env>(app: OpenAPIHono<E>, publicBaseUrl: string): OpenApiDocument {
  const generated = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Lumina AI Studio API',
      version: '1',
      description:
        'Background removal, upscaling and instruction edits for images. Submit with `POST /api/v1/process`, follow the task, fetch the result from its signed URL. Every error answers with the same envelope and a stable `error.code`.',
    },
    servers: [{ url: publicBaseUrl }],
    tags,
  });
  const paths = generated.paths as unknown as OpenApiDocument['paths'];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      op['x-codeSamples'] ??= codeSamplesOf(method, path, op, publicBaseUrl);
    }
  }
  return {
    openapi: generated.openapi,
    info: generated.info as OpenApiDocument['info'],
    servers: [{ url: publicBaseUrl }],
    tags,
    components: {
      ...generated.components,
      securitySchemes: components.securitySchemes,
      schemas: { ...generated.components?.schemas, ...components.schemas },
    },
    paths,
  };
}
