import { ApprovePairingBody, CreatePairingBody, PairingTokenBody } from '@lumina/shared';
import { Hono } from 'hono';
import { ApiError } from '../../errors.ts';
import { createPairing } from '../../services/create-pairing.ts';
import { decidePairing } from '../../services/decide-pairing.ts';
import { exchangePairing } from '../../services/exchange-pairing.ts';
import { getPairing } from '../../services/get-pairing.ts';
import { pairingPollIntervalSeconds } from '../../services/pairing-policy.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';
import type { AppEnv } from '../env.ts';
import { authRateLimit, pairingCodeRateLimit, pairingPollRateLimit } from '../rate-limit.ts';

const jsonOf = (c: { req: { json(): Promise<unknown> } }) => c.req.json().catch(() => undefined);

/**
 * Device-style plugin sign-in. The plugin (no cookies, often `Origin: null`) starts a pairing and polls for its
 * token without authentication: the poll secret is its credential. The person looks at and decides on the
 * pairing from a signed-in browser.
 */
export const pairingRoutes = new Hono<AppEnv>()
  // Starting pairings and polling are limited per IP; each pairing's poll is also paced by `slow_down` and guarded
  // by its high-entropy poll secret.
  .post('/', authRateLimit('pairing'), async (c) => {
    const body = CreatePairingBody.parse(await jsonOf(c));
    return c.json(await createPairing({ ctx: c.var.ctx, input: body }), 201);
  })
  .post('/token', pairingPollRateLimit, async (c) => {
    const body = PairingTokenBody.safeParse(await jsonOf(c));
    if (!body.success) throw new ApiError('invalid_request', 'Send {"pollSecret"} as JSON.');
    try {
      return c.json(await exchangePairing({ ctx: c.var.ctx, input: body.data }), 200);
    } catch (error) {
      // Tells a generic HTTP client how long to back off, beside the code a plugin switches on.
      if (error instanceof ApiError && error.code === 'pairing_slow_down') {
        c.header('Retry-After', String(pairingPollIntervalSeconds));
      }
      throw error;
    }
  })
  // A user code is short enough to guess: looking one up or deciding on it is counted per person.
  .get('/:code', authenticate, pairingCodeRateLimit, async (c) => {
    browserUserOf(c);
    return c.json(await getPairing({ ctx: c.var.ctx, input: { userCode: c.req.param('code') } }), 200);
  })
  .post('/:code/approve', authenticate, pairingCodeRateLimit, async (c) => {
    const user = browserUserOf(c);
    const body = ApprovePairingBody.parse(await jsonOf(c));
    const input = {
      userId: user.userId,
      userCode: c.req.param('code'),
      decision: 'approve' as const,
      teamId: body.teamId,
    };
    return c.json(await decidePairing({ ctx: c.var.ctx, input }), 200);
  })
  .post('/:code/deny', authenticate, pairingCodeRateLimit, async (c) => {
    const user = browserUserOf(c);
    const input = { userId: user.userId, userCode: c.req.param('code'), decision: 'deny' as const };
    return c.json(await decidePairing({ ctx: c.var.ctx, input }), 200);
  });
