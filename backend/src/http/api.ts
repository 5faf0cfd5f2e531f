import { z } from 'zod';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi/openapi-document.ts';
import { renderReferencePage } from '../openapi/reference-page.ts';
import { apiRoute, apiRoutes } from './api-route.ts';
import { authRoutes } from './routes/auth.ts';
import { billingRoutes } from './routes/billing.ts';
import { fileRoutes } from './routes/files.ts';
import { meRoutes, sessionRoutes } from './routes/me.ts';
import { pairingRoutes } from './routes/pairings.ts';
import { processRoutes } from './routes/process.ts';
import { removeBgRoutes } from './routes/removebg.ts';
import { systemRoutes } from './routes/system.ts';
import { taskRoutes } from './routes/tasks.ts';
import { inviteRoutes, teamRoutes } from './routes/teams.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/** Every documented route of the API, each declared with its contract; the OpenAPI document is generated from it. */
const routes = apiRoutes()
  .route('/', systemRoutes)
  .route('/api/v1/process', processRoutes)
  .route('/api/v1/tasks', taskRoutes)
  .route('/api/v1/auth', authRoutes)
  .route('/api/v1/me', meRoutes)
  .route('/api/v1/sessions', sessionRoutes)
  .route('/api/v1/teams', teamRoutes)
  .route('/api/v1/invites', inviteRoutes)
  .route('/api/v1/pairings', pairingRoutes)
  .route('/api/v1/billing', billingRoutes)
  .route('/api/v1/webhooks', webhookRoutes)
  .route('/files', fileRoutes)
  .route('/v1.0', removeBgRoutes);

export const api = routes
  .openapi(
    apiRoute(
      { tag: 'operations', auth: 'none', errors: [] },
      {
        method: 'get',
        path: '/api/v1/openapi.json',
        operationId: 'openApi',
        summary: 'This document',
        responses: {
          200: { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: z.looseObject({}) } } },
        },
      },
    ),
    (c) => c.json(openApiDocument(c.var.ctx.config.publicBaseUrl), 200),
  )
  .openapi(
    apiRoute(
      { tag: 'operations', auth: 'none', errors: [] },
      {
        method: 'get',
        path: '/api/v1/docs',
        operationId: 'reference',
        summary: 'This document as a readable page (works offline: no script, no external asset)',
        responses: { 200: { description: 'HTML.', content: { 'text/html': { schema: z.string() } } } },
      },
    ),
    (c) => {
      // Like the dashboard's pages: no site may frame it, and it loads nothing from anywhere.
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      c.header('X-Frame-Options', 'DENY');
      return c.html(referencePage(c.var.ctx.config.publicBaseUrl), 200);
    },
  );

const documents = new Map<string, { document: OpenApiDocument; page: string }>();

function generated(publicBaseUrl: string) {
  let entry = documents.get(publicBaseUrl);
  if (!entry) {
    const document = buildOpenApiDocument(api, publicBaseUrl);
    entry = { document, page: renderReferencePage(document) };
    documents.set(publicBaseUrl, entry);
  }
  return entry;
}

/** The document for a deployment's public URL, generated once. */
export const openApiDocument = (publicBaseUrl: string): OpenApiDocument => generated(publicBaseUrl).document;
const referencePage = (publicBaseUrl: string): string => generated(publicBaseUrl).page;
