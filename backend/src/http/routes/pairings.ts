import {
  ApprovePairingBody,
  CreatePairingBody,
  type ErrorCode,
  PairingCreated,
  PairingToken,
  PairingTokenBody,
  PairingView,
} from '@lumina/shared';
import { z } from 'zod';
import { ApiError } from '../../errors.ts';
import { createPairing } from '../../services/pairings/create-pairing.ts';
import { decidePairing } from '../../services/pairings/decide-pairing.ts';
import { exchangePairing } from '../../services/pairings/exchange-pairing.ts';
import { getPairing } from '../../services/pairings/get-pairing.ts';
import { pairingPollIntervalSeconds } from '../../services/pairings/pairing-policy.ts';
import { apiRoute, apiRoutes, json, jsonBody } from '../api-route.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';
import { authRateLimit, pairingCodeRateLimit, pairingPollRateLimit } from '../rate-limit.ts';

const browserErrors: ErrorCode[] = ['unauthorized', 'forbidden', 'csrf_rejected', 'not_found', 'rate_limited'];
const PairingPath = z.object({
  // As shown (`BCDF-GHJK`) or as typed (`bcdf ghjk`); normalised by the use case.
  code: z
    .string()
    .regex(/^[A-Za-z0-9 -]{1,32}$/, 'Not a pairing code.')
    .meta({ description: 'The user code the plugin shows.' }),
});

/**
 * Device-style plugin sign-in. The plugin (no cookies, often `Origin: null`) starts a pairing and polls for its
 * token without authentication: the poll secret is its credential. The person looks at and decides on the
 * pairing from a signed-in browser.
 */
export const pairingRoutes = apiRoutes()
  // Starting pairings and polling are limited per IP; each pairing's poll is also paced by `slow_down` and guarded
  // by its high-entropy poll secret.
  .openapi(
    apiRoute(
      { tag: 'plugins', auth: 'none', errors: ['invalid_request', 'rate_limited', 'unavailable'] },
      {
        method: 'post',
        path: '/',
        operationId: 'startPairing',
        summary: 'A plugin asks to be signed in: a user code, a verification URL and a poll secret',
        middleware: [authRateLimit('pairing')],
        request: {
          body: jsonBody(CreatePairingBody, {
            figma: { summary: 'The Figma plugin', value: { client: 'figma', label: 'Figma on my laptop' } },
          }),
        },
        responses: { 201: json(PairingCreated, 'The pairing.') },
      },
    ),
    async (c) => c.json(await createPairing({ ctx: c.var.ctx, input: c.req.valid('json') }), 201),
  )
  .openapi(
    apiRoute(
      {
        tag: 'plugins',
        auth: 'none',
        errors: [
          'invalid_request',
          'not_found',
          'pairing_pending',
          'pairing_slow_down',
          'pairing_expired',
          'pairing_denied',
          'pairing_consumed',
          'rate_limited',
        ],
      },
      {
        method: 'post',
        path: '/token',
        operationId: 'pollPairing',
        summary: 'The plugin polls: pending, slow down, expired, denied, or its token (exactly once)',
        middleware: [pairingPollRateLimit],
        request: {
          body: jsonBody(PairingTokenBody, { poll: { summary: 'One poll', value: { pollSecret: 'pps_…' } } }),
        },
        responses: { 200: json(PairingToken, 'The bearer token for the approved team.') },
      },
    ),
    async (c) => {
      try {
        return c.json(await exchangePairing({ ctx: c.var.ctx, input: c.req.valid('json') }), 200);
      } catch (error) {
        // Tells a generic HTTP client how long to back off, beside the code a plugin switches on.
        if (error instanceof ApiError && error.code === 'pairing_slow_down') {
          c.header('Retry-After', String(pairingPollIntervalSeconds));
        }
        throw error;
      }
    },
  )
  // A user code is short enough to guess: looking one up or deciding on it is counted per person.
  .openapi(
    apiRoute(
      { tag: 'plugins', auth: 'browser', errors: browserErrors },
      {
        method: 'get',
        path: '/{code}',
        operationId: 'getPairing',
        summary: 'Which plugin asks (for the approval page)',
        middleware: [authenticate, pairingCodeRateLimit],
        request: { params: PairingPath },
        responses: { 200: json(PairingView, 'The pairing.') },
      },
    ),
    async (c) => c.json(await getPairing({ ctx: c.var.ctx, input: { userCode: c.req.valid('param').code } }), 200),
  )
  .openapi(
    apiRoute(
      {
        tag: 'plugins',
        auth: 'browser',
        errors: ['invalid_request', 'pairing_expired', 'pairing_consumed', 'pairing_denied', ...browserErrors],
      },
      {
        method: 'post',
        path: '/{code}/approve',
        operationId: 'approvePairing',
        summary: 'Approve a pairing for one of your teams',
        middleware: [authenticate, pairingCodeRateLimit],
        request: {
          params: PairingPath,
          body: jsonBody(ApprovePairingBody, { team: { summary: 'For one of my teams', value: { teamId: 'team_…' } } }),
        },
        responses: { 200: json(PairingView, 'The pairing.') },
      },
    ),
    async (c) => {
      const user = browserUserOf(c);
      const input = {
        userId: user.userId,
        userCode: c.req.valid('param').code,
        decision: 'approve' as const,
        teamId: c.req.valid('json').teamId,
      };
      return c.json(await decidePairing({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(
      { tag: 'plugins', auth: 'browser', errors: ['pairing_expired', 'pairing_consumed', ...browserErrors] },
      {
        method: 'post',
        path: '/{code}/deny',
        operationId: 'denyPairing',
        summary: 'Deny a pairing',
        middleware: [authenticate, pairingCodeRateLimit],
        request: { params: PairingPath },
        responses: { 200: json(PairingView, 'The pairing.') },
      },
    ),
    async (c) => {
      const user = browserUserOf(c);
      const input = { userId: user.userId, userCode: c.req.valid('param').code, decision: 'deny' as const };
      return c.json(await decidePairing({ ctx: c.var.ctx, input }), 200);
    },
  );
