import { hostname } from 'node:os';
import { silentLogger } from '@lumina/runtime';
import { ApiKeyCreated, ErrorBody, PairingCreated } from '@lumina/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.ts';
import { createRedisClient } from '../src/rate-limit/redis-client.ts';
import { checkWebhookUrl } from '../src/services/webhooks/check-webhook-url.ts';
import { isPrivateAddress } from '../src/webhooks/private-address.ts';
import { sendWebhook } from '../src/webhooks/send-webhook.ts';
import { dashboardJson, errorCodeOf, signUpBrowser } from './support/accounts.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { truncatedPng } from './support/hostile-images.ts';

const teamUnits = 5;
const authFailures = 3;
const authPerMinute = 2;
const pairingCodeLookups = 3;
let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend(
    {
      RATE_LIMIT_API_UNITS_PER_MINUTE: '1000',
      RATE_LIMIT_TEAM_UNITS_PER_MINUTE: String(teamUnits),
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: String(authFailures),
      RATE_LIMIT_AUTH_PER_MINUTE: String(authPerMinute),
      RATE_LIMIT_PAIRING_CODE_PER_MINUTE: String(pairingCodeLookups),
      TRUST_PROXY: 'true',
    },
    { background: false },
  );
});
afterAll(async () => {
  await t?.close();
});

/** A client address of its own for each test, so budgets keyed by network do not meet. */
let nextOctet = 1;
const freshIpv4 = () => `198.51.100.${nextOctet++}`;

describe('item 10: rate limits per team, per failing network, per /64, closed for sign-in', () => {
  it('item 10: all of a team’s API keys share one team budget', async () => {
    const owner = await signUpBrowser(t, 'Kim');
    const keys: string[] = [];
    for (const name of ['one', 'two']) {
      const res = await t.request(
        `/api/v1/teams/${owner.personalTeamId}/api-keys`,
        dashboardJson(owner, 'POST', { name }),
      );
      expect(res.status).toBe(201);
      keys.push(ApiKeyCreated.parse(await res.json()).secret);
    }
    const read = (key: string) => t.request('/api/v1/tasks', { headers: { authorization: `Bearer ${key}` } });
    const answers: Response[] = [];
    for (let i = 0; i < teamUnits + 2; i += 1) answers.push(await read(keys[i % 2] ?? ''));
    expect(answers.map((r) => r.status)).toEqual([...Array.from({ length: teamUnits }, () => 200), 429, 429]);
    const refused = answers.at(-1);
    if (!refused) throw new Error('no answer');
    expect(ErrorBody.parse(await refused.json()).error.details).toMatchObject({ policy: 'api-team' });
  });

  it('item 10: failed authentication is limited per client IP, and then refused before any key is checked', async () => {
    const ip = freshIpv4();
    const team = await t.newTeam(0);
    const bad = () =>
      t.request('/api/v1/tasks', { headers: { authorization: 'Bearer lum_not_a_key', 'x-forwarded-for': ip } });
    for (let i = 0; i < authFailures; i += 1) expect((await bad()).status).toBe(401);
    const limited = await bad();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await errorCodeOf(limited)).toBe('rate_limited');
    const good = await t.request('/api/v1/tasks', { headers: { ...team.auth, 'x-forwarded-for': ip } });
    expect(good.status).toBe(429);
    // Another client keeps working, and so does the key from elsewhere.
    expect(
      (await t.request('/api/v1/tasks', { headers: { ...team.auth, 'x-forwarded-for': freshIpv4() } })).status,
    ).toBe(200);
  });

  it('item 10: IPv6 clients are counted per /64, not per address', async () => {
    const signIn = (ip: string) =>
      t.request('/api/v1/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password' }),
      });
    const prefix = `2001:db8:${(nextOctet++).toString(16)}:7`;
    const answers: number[] = [];
    for (let i = 1; i <= authPerMinute + 1; i += 1) answers.push((await signIn(`${prefix}::${i.toString(16)}`)).status);
    expect(answers).toEqual([...Array.from({ length: authPerMinute }, () => 401), 429]);
    expect((await signIn(`${prefix}:ffff:ffff:ffff:ffff`)).status).toBe(429);
    // The next /64 is another network.
    expect((await signIn(`${prefix.replace(/:7$/, ':8')}::1`)).status).toBe(401);
  });

  it('item 10: with Redis down, sign-in, sign-up and pairing answer 503 while the image API stays up', async () => {
    const unreachable = createRedisClient('redis://127.0.0.1:1', silentLogger, { commandTimeoutMs: 2000 });
    try {
      const app = createApp({ ...t.backend.ctx, redis: unreachable }, { database: async () => {} });
      const json = (body: unknown) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIpv4() },
        body: JSON.stringify(body),
      });
      const signIn = await app.request(
        '/api/v1/auth/sign-in',
        json({ email: 'nobody@example.com', password: 'wrong-password' }),
      );
      expect(signIn.status).toBe(503);
      expect(signIn.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await errorCodeOf(signIn)).toBe('unavailable');
      const signUp = await app.request(
        '/api/v1/auth/sign-up',
        json({ email: 'outage@example.com', password: 'a long enough password', name: 'Out Age' }),
      );
      expect(signUp.status).toBe(503);
      expect((await app.request('/api/v1/pairings', json({ client: 'figma' }))).status).toBe(503);

      const team = await t.newTeam(5);
      const submit = await app.request('/api/v1/process', {
        method: 'POST',
        headers: team.auth,
        body: processForm(fixture('horse.png')),
      });
      expect(submit.status).toBe(202);
    } finally {
      unreachable.disconnect();
    }
  });
});

describe('item 15: pairing user-code lookups are rate-limited', () => {
  it('item 15: a signed-in person guessing user codes gets 429 after the budget, in the API and on /pair', async () => {
    const guesser = await signUpBrowser(t, 'Gus');
    const lookups: number[] = [];
    for (let i = 0; i < pairingCodeLookups + 1; i += 1) {
      const res = await t.request(`/api/v1/pairings/BCDF-GHJ${'KLMN'[i % 4]}`, { headers: guesser.headers() });
      lookups.push(res.status);
    }
    expect(lookups).toEqual([...Array.from({ length: pairingCodeLookups }, () => 404), 429]);
    expect((await t.request('/pair?code=BCDF-GHJK', { headers: guesser.headers() })).status).toBe(429);

    // A real pairing is still found by someone else.
    const started = await t.request('/api/v1/pairings', {
      method: 'POST',
      headers: { origin: 'null', 'content-type': 'application/json', 'x-forwarded-for': freshIpv4() },
      body: JSON.stringify({ client: 'figma' }),
    });
    const pairing = PairingCreated.parse(await started.json());
    const other = await signUpBrowser(t, 'Ola');
    expect((await t.request(`/api/v1/pairings/${pairing.userCode}`, { headers: other.headers() })).status).toBe(200);
  });
});

describe('item 11: the credit check comes before the decode', () => {
  it('item 11: a team with 0 credits is refused by price from the header, before the pixels are decoded', async () => {
    const broke = await t.newTeam(0);
    // The header is whole, the pixels are cut off: only a full decode can tell, so the answer shows the order.
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: broke.auth,
      body: processForm(truncatedPng()),
    });
    expect(res.status).toBe(402);
    expect(await errorCodeOf(res)).toBe('insufficient_credits');
    // With credits, the same upload reaches the decode and is refused as corrupt, uncharged.
    const paying = await t.newTeam(5);
    const decoded = await t.request('/api/v1/process', {
      method: 'POST',
      headers: paying.auth,
      body: processForm(truncatedPng()),
    });
    expect(await errorCodeOf(decoded)).toBe('image_corrupt');
    expect(await t.team(paying.teamId)).toEqual({ balance: 5, reserved: 0 });
  });
});

describe('item 12: SSRF ranges come from the IP-range library', () => {
  it('item 12: refuses IPv4-compatible, NAT64 local-use, site-local and 6to4 addresses', () => {
    for (const address of ['::7f00:1', '[::7f00:1]', '64:ff9b:1::a00:1', 'fec0::1', '2002:7f00:1::1', '2001:db8::1']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
    for (const address of ['2606:4700::1111', '93.184.216.34', '::ffff:93.184.216.34']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    }
    for (const url of ['http://[::7f00:1]/', 'http://[64:ff9b:1::a00:1]/', 'http://[fec0::1]/', 'http://[2002::1]/']) {
      expect(() => checkWebhookUrl(url, { allowPrivateUrls: false })).toThrow(/private address/);
    }
  });

  it("item 12: a delivery's error does not echo the private address a name resolved to", async () => {
    // This machine's own name resolves to loopback or a private network address wherever tests run.
    const answer = await sendWebhook({
      url: `http://${hostname()}:9/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 5000,
      allowPrivateAddresses: false,
    });
    expect(answer.status).toBeNull();
    expect(answer.error).toMatch(/resolves to a private address/);
    expect(answer.error).not.toMatch(/\d+\.\d+\.\d+\.\d+|::/);
  });
});
