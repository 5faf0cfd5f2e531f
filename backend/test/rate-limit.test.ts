import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { serve } from '@hono/node-server';
import { type Logger, silentLogger } from '@lumina/runtime';
import { ErrorBody, PairingCreated } from '@lumina/shared';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createApp } from '../src/http/app.ts';
import type { AppEnv } from '../src/http/env.ts';
import { authRateLimit, type RateLimitPolicy, rateLimit } from '../src/http/rate-limit.ts';
import { createRedisClient } from '../src/rate-limit/redis-client.ts';
import type { ServiceContext } from '../src/services/context.ts';
import { pairingPollIntervalSeconds } from '../src/services/pairings/pairing-policy.ts';
import { eventually, fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

const apiUnits = 25;
const authPerMinute = 3;
let t: TestBackend;
const image = fixture('horse.png');

beforeAll(async () => {
  t = await startTestBackend(
    {
      RATE_LIMIT_API_UNITS_PER_MINUTE: String(apiUnits),
      RATE_LIMIT_AUTH_PER_MINUTE: String(authPerMinute),
      TRUST_PROXY: 'true',
    },
    { background: false },
  );
});
afterAll(async () => {
  await t?.close();
});

const read = (auth: Record<string, string>, headers: Record<string, string> = {}) =>
  t.request('/api/v1/tasks', { headers: { ...auth, ...headers } });
const submit = (auth: Record<string, string>) =>
  t.request('/api/v1/process', { method: 'POST', headers: auth, body: processForm(image) });

/** `RateLimit: "name";r=42;t=17` → its parts; fails the test when the header is missing or malformed. */
function rateLimitOf(res: Response): { name: string; remaining: number; reset: number } {
  const match = res.headers.get('ratelimit')?.match(/^"([a-z0-9-]+)";r=(\d+);t=(\d+)$/);
  if (!match) throw new Error(`no well-formed RateLimit header: ${res.headers.get('ratelimit')}`);
  return { name: String(match[1]), remaining: Number(match[2]), reset: Number(match[3]) };
}

const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();

/** A bare app with the real middleware on a policy of the test's choosing, over the test backend's services. */
function limitedApp(policy: RateLimitPolicy, ctx: ServiceContext = t.backend.ctx) {
  return new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set('requestId', `req_${randomBytes(4).toString('hex')}`);
      c.set('ctx', ctx);
      await next();
    })
    .use(rateLimit(policy))
    .get('/', (c) => c.json({ ok: true }, 200));
}

describe('rate-limit headers and 429 with Retry-After', () => {
  it('answers a limited route with RateLimit-Policy, RateLimit and X-RateLimit-* headers, errors included', async () => {
    const team = await t.newTeam(1);
    const res = await read(team.auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe(`"api";q=${apiUnits};w=60`);
    const limit = rateLimitOf(res);
    expect(limit).toMatchObject({ name: 'api', remaining: apiUnits - 1 });
    expect(limit.reset).toBeGreaterThanOrEqual(1);
    expect(limit.reset).toBeLessThanOrEqual(60);
    expect(res.headers.get('x-ratelimit-limit')).toBe(String(apiUnits));
    expect(res.headers.get('x-ratelimit-remaining')).toBe(String(apiUnits - 1));
    expect(res.headers.get('x-ratelimit-reset')).toBe(String(limit.reset));
    expect(res.headers.get('retry-after')).toBeNull();

    // An error answer of a limited route carries them too, and the request still counted.
    const missing = await t.request('/api/v1/tasks/task_00000000000000000000000000', { headers: team.auth });
    expect(missing.status).toBe(404);
    expect(rateLimitOf(missing).remaining).toBe(apiUnits - 2);
    expect(missing.headers.get('ratelimit-policy')).toBe(`"api";q=${apiUnits};w=60`);

    // The public capabilities route is not limited.
    const open = await t.request('/api/v1/capabilities');
    expect(open.status).toBe(200);
    expect(open.headers.get('ratelimit')).toBeNull();
  });

  it('allows exactly limit/cost of parallel requests and answers the rest 429 rate_limited with Retry-After', async () => {
    const team = await t.newTeam(1);
    const responses = await Promise.all(Array.from({ length: 40 }, () => read(team.auth)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(apiUnits);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(40 - apiUnits);
    for (const res of refused) {
      const retryAfter = res.headers.get('retry-after') ?? '';
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      expect(rateLimitOf(res).remaining).toBe(0);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      const body = ErrorBody.parse(await res.json());
      expect(body.error.code).toBe('rate_limited');
      expect(body.error.details).toMatchObject({ policy: 'api', retryAfterSeconds: Number(retryAfter) });
      expect(body.error.requestId).toMatch(/^req_/);
    }
  });

  it('counts a submit as 10 units, so only two of 8 parallel submits pass and only those are charged', async () => {
    const team = await t.newTeam(10);
    const responses = await Promise.all(Array.from({ length: 8 }, () => submit(team.auth)));
    expect(statuses(responses)).toEqual([202, 202, 429, 429, 429, 429, 429, 429]);
    for (const res of responses.filter((r) => r.status === 429)) {
      expect(ErrorBody.parse(await res.json()).error.code).toBe('rate_limited');
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 8, reserved: 2 });
  });

  it('weights requests by cost, and a refused request consumes nothing', async () => {
    const team = await t.newTeam(10);
    const first = await submit(team.auth);
    expect(first.status).toBe(202);
    expect(rateLimitOf(first).remaining).toBe(apiUnits - 10);
    const second = await submit(team.auth);
    expect(second.status).toBe(202);
    expect(rateLimitOf(second).remaining).toBe(apiUnits - 20);

    // 5 units are left: a submit (10) does not fit and takes none of them...
    const third = await submit(team.auth);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(rateLimitOf(third).remaining).toBe(5);
    // ...so five reads (1 each) still pass, and the sixth does not.
    for (const left of [4, 3, 2, 1, 0]) {
      const res = await read(team.auth);
      expect(res.status).toBe(200);
      expect(rateLimitOf(res).remaining).toBe(left);
    }
    expect((await read(team.auth)).status).toBe(429);
    expect(await t.team(team.teamId)).toEqual({ balance: 8, reserved: 2 });
  });

  it("keeps each API key's budget to itself", async () => {
    const spent = await t.newTeam(1);
    const fresh = await t.newTeam(1);
    await Promise.all(Array.from({ length: apiUnits }, () => read(spent.auth)));
    expect((await read(spent.auth)).status).toBe(429);
    const other = await read(fresh.auth);
    expect(other.status).toBe(200);
    expect(rateLimitOf(other).remaining).toBe(apiUnits - 1);
  });

  it('lets requests through again once the window has slid past the ones that used it', async () => {
    const app = limitedApp({ name: 'burst', limit: 3, windowSeconds: 1, key: () => 'caller' });
    expect(statuses(await Promise.all([1, 2, 3].map(() => app.request('/'))))).toEqual([200, 200, 200]);
    const refused = await app.request('/');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-policy')).toBe('"burst";q=3;w=1');
    // A bounded poll, never a fixed sleep: refused polls consume nothing, so the first free unit is taken.
    const again = await eventually(async () => {
      const res = await app.request('/');
      return res.status === 200 ? res : undefined;
    }, 10_000);
    expect(again.status).toBe(200);
  });

  it('exposes the rate-limit headers to browser clients through CORS', async () => {
    const team = await t.newTeam(1);
    const res = await read(team.auth, { origin: 'null' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '')
      .split(/\s*,\s*/)
      .map((h) => h.toLowerCase());
    for (const header of [
      'ratelimit',
      'ratelimit-policy',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'retry-after',
    ]) {
      expect(exposed).toContain(header);
    }
    expect(res.headers.get('ratelimit')).not.toBeNull();
  });

  it("limits sign-in per client IP, taken from X-Forwarded-For's first hop behind a trusted proxy", async () => {
    const app = new Hono<AppEnv>()
      .use(async (c, next) => {
        c.set('requestId', 'req_test');
        c.set('ctx', t.backend.ctx);
        await next();
      })
      .post('/sign-in', authRateLimit('sign-in'), (c) => c.json({ ok: true }, 200));
    const from = (forwardedFor: string) =>
      app.request('/sign-in', { method: 'POST', headers: { 'x-forwarded-for': forwardedFor } });

    const first = await from('198.51.100.7, 10.0.0.1');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe(`"sign-in";q=${authPerMinute};w=60`);
    for (let i = 1; i < authPerMinute; i++) expect((await from('198.51.100.7, 10.0.0.2')).status).toBe(200);
    const refused = await from('198.51.100.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe('rate_limited');

    // Another client behind the same proxy has its own budget.
    const other = await from('203.0.113.9, 10.0.0.1');
    expect(other.status).toBe(200);
    expect(rateLimitOf(other).remaining).toBe(authPerMinute - 1);
  });

  it('guards the real sign-in, sign-up and pairing routes per IP, wrong passwords included', async () => {
    const ip = `192.0.2.${1 + Math.floor(Math.random() * 200)}`;
    const json = (body: unknown) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(body),
    });
    const signIn = () =>
      t.request('/api/v1/auth/sign-in', json({ email: 'nobody@example.com', password: 'wrong-password' }));
    for (let i = 0; i < authPerMinute; i++) expect((await signIn()).status).toBe(401);
    const refused = await signIn();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

    // Each endpoint has a budget of its own.
    const signUp = await t.request(
      '/api/v1/auth/sign-up',
      json({ email: `rl-${ip}@example.com`, password: 'a long enough password', name: 'R L' }),
    );
    expect(signUp.headers.get('ratelimit-policy')).toBe(`"sign-up";q=${authPerMinute};w=60`);
    const pairing = await t.request('/api/v1/pairings', json({ client: 'figma' }));
    expect(pairing.status).toBe(201);
    expect(pairing.headers.get('ratelimit-policy')).toBe(`"pairing";q=${authPerMinute};w=60`);
  });

  it('counts by the socket address, ignoring X-Forwarded-For, when no proxy is trusted', async () => {
    const ctx: ServiceContext = { ...t.backend.ctx, config: { ...t.config, trustProxy: false } };
    const app = new Hono<AppEnv>()
      .use(async (c, next) => {
        c.set('requestId', 'req_test');
        c.set('ctx', ctx);
        await next();
      })
      .post('/sign-up', authRateLimit('sign-up'), (c) => c.json({ ok: true }, 200));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    try {
      await once(server, 'listening');
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      // A client inventing a new X-Forwarded-For each time still spends the one budget of its socket's IP.
      const responses: Response[] = [];
      for (let i = 0; i <= authPerMinute; i++) {
        responses.push(
          await fetch(`http://127.0.0.1:${address.port}/sign-up`, {
            method: 'POST',
            headers: { 'x-forwarded-for': `192.0.2.${i}` },
          }),
        );
      }
      expect(responses.map((r) => r.status)).toEqual([...Array.from({ length: authPerMinute }, () => 200), 429]);
      expect(responses[0]?.headers.get('ratelimit-policy')).toBe(`"sign-up";q=${authPerMinute};w=60`);
    } finally {
      server.close();
    }
  });

  it("limits the plugin's token poll per client IP, far above what plugins polling at the pairing's interval need", async () => {
    const octet = () => 1 + Math.floor(Math.random() * 250);
    const pollerIp = `198.51.100.${octet()}`;
    const json = (ip: string, body: unknown) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(body),
    });
    const plugins = 9;
    const pairings: PairingCreated[] = [];
    // Started from addresses of their own: starting pairings has its own, smaller budget.
    for (let i = 0; i < plugins; i++) {
      const started = await t.request('/api/v1/pairings', json(`203.0.113.${octet()}`, { client: 'figma' }));
      expect(started.status).toBe(201);
      pairings.push(PairingCreated.parse(await started.json()));
    }
    const poll = (pairing: PairingCreated) =>
      t.request('/api/v1/pairings/token', json(pollerIp, { pollSecret: pairing.pollSecret }));
    const codeOf = async (res: Response) => ErrorBody.parse(await res.json()).error.code;

    // A sliding minute holds at most this many polls of a plugin waiting the interval between them; sent at once
    // they count the same, so nine plugins behind one address polling for a whole minute are all answered.
    const pollsInAMinute = Math.floor(60 / pairingPollIntervalSeconds) + 1;
    const limit = t.config.rateLimits.pairingPollPerMinute;
    expect(limit).toBeGreaterThanOrEqual(plugins * pollsInAMinute);
    for (const pairing of pairings) {
      for (let i = 0; i < pollsInAMinute; i++) {
        const res = await poll(pairing);
        expect(['pairing_pending', 'pairing_slow_down']).toContain(await codeOf(res));
        expect(res.headers.get('ratelimit-policy')).toBe(`"pairing-poll";q=${limit};w=60`);
      }
    }
    const spent = plugins * pollsInAMinute;
    for (let i = spent; i < limit; i++)
      expect(await codeOf(await poll(pairings[0] as PairingCreated))).not.toBe('rate_limited');

    // Past the budget a client hammering the poll is refused before its pairing is looked at, with Retry-After in
    // the header and in the envelope.
    const refused = await poll(pairings[0] as PairingCreated);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    const error = ErrorBody.parse(await refused.json()).error;
    expect(error.code).toBe('rate_limited');
    expect(error.details).toMatchObject({ policy: 'pairing-poll', retryAfterSeconds: retryAfter });
    // Even with a poll secret that matches no pairing: guesses spend the same budget.
    const guess = await t.request('/api/v1/pairings/token', json(pollerIp, { pollSecret: 'not-a-secret' }));
    expect(await codeOf(guess)).toBe('rate_limited');

    // Another address has its own budget.
    const elsewhere = await t.request(
      '/api/v1/pairings/token',
      json(`192.0.2.${octet()}`, { pollSecret: (pairings[1] as PairingCreated).pollSecret }),
    );
    expect(await codeOf(elsewhere)).toBe('pairing_slow_down');
  });

  it('warns once, not per request, when requests come through a proxy while TRUST_PROXY is off', async () => {
    const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const log: Logger = { ...silentLogger, warn: (message, fields) => warnings.push({ message, fields }) };
    const app = createApp(
      { ...t.backend.ctx, log, config: { ...t.config, trustProxy: false, logRequests: false } },
      { database: async () => {} },
    );
    expect((await app.request('/healthz')).status).toBe(200);
    expect(warnings).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/healthz', { headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
      expect(res.status).toBe(200);
    }
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/X-Forwarded-For.*TRUST_PROXY/)]);

    // Behind a trusted proxy the header is what it should be: nothing to warn about.
    const trusted: typeof warnings = [];
    const trustingApp = createApp(
      {
        ...t.backend.ctx,
        log: { ...silentLogger, warn: (message, fields) => trusted.push({ message, fields }) },
        config: { ...t.config, trustProxy: true, logRequests: false },
      },
      { database: async () => {} },
    );
    await trustingApp.request('/healthz', { headers: { 'x-forwarded-for': '192.0.2.9' } });
    expect(trusted).toEqual([]);
  });

  it('lets requests through, without headers, when Redis cannot be reached', async () => {
    const unreachable = createRedisClient('redis://127.0.0.1:1', silentLogger, { commandTimeoutMs: 2000 });
    try {
      const app = limitedApp(
        { name: 'outage', limit: 1, windowSeconds: 60, key: () => 'caller' },
        { ...t.backend.ctx, redis: unreachable },
      );
      for (let i = 0; i < 3; i++) {
        const res = await app.request('/');
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit')).toBeNull();
      }
    } finally {
      unreachable.disconnect();
    }
  });

  it('turns the API limit off with RATE_LIMIT_API_UNITS_PER_MINUTE=0', async () => {
    const unlimited = await startTestBackend({ RATE_LIMIT_API_UNITS_PER_MINUTE: '0' }, { background: false });
    try {
      const team = await unlimited.newTeam(1);
      const responses = await Promise.all(
        Array.from({ length: 30 }, () => unlimited.request('/api/v1/tasks', { headers: team.auth })),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(responses.every((r) => r.headers.get('ratelimit') === null)).toBe(true);
    } finally {
      await unlimited.close();
    }
  });
});

describe('rate-limit configuration', () => {
  it('defaults to generous API units, 10 auth requests per IP, 120 token polls per IP and no trusted proxy', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({
      apiUnitsPerMinute: 1200,
      teamUnitsPerMinute: 3600,
      authPerMinute: 10,
      authFailuresPerMinute: 30,
      pairingCodePerMinute: 10,
      pairingPollPerMinute: 120,
      ipv6PrefixLength: 64,
      filesPerMinute: 600,
    });
    expect(config.trustProxy).toBe(false);
  });

  it('names the variable when a limit is not a non-negative integer', () => {
    expect(() => loadConfig({ RATE_LIMIT_AUTH_PER_MINUTE: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_API_UNITS_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_API_UNITS_PER_MINUTE/);
    expect(() => loadConfig({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY/);
  });

  it('refuses a token-poll limit that one plugin polling at the interval would exceed', () => {
    const onePlugin = Math.floor(60 / pairingPollIntervalSeconds) + 1;
    expect(() => loadConfig({ RATE_LIMIT_PAIRING_POLL_PER_MINUTE: String(onePlugin - 1) })).toThrow(
      /RATE_LIMIT_PAIRING_POLL_PER_MINUTE/,
    );
    expect(loadConfig({ RATE_LIMIT_PAIRING_POLL_PER_MINUTE: String(onePlugin) }).rateLimits.pairingPollPerMinute).toBe(
      onePlugin,
    );
    expect(loadConfig({ RATE_LIMIT_PAIRING_POLL_PER_MINUTE: '0' }).rateLimits.pairingPollPerMinute).toBe(0);
  });
});
