import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardOrigin, signUpBrowser } from './support/accounts.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';

// Issue 13, item 14: malformed requests across every route the app serves answer 4xx, never 5xx. Billing and
// magic edits are configured, so no route answers 501 for being switched off; nothing here reaches Gemini.
let stripe: StripeStandIn;
let t: TestBackend;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  t = await startTestBackend(
    { ...stripe.env, GEMINI_API_KEY: 'fuzz-key', GEMINI_BASE_URL: 'http://127.0.0.1:9' },
    { background: false },
  );
  stripe.webhookTarget = t.request;
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

/** A small deterministic generator (mulberry32), so a failure names a request that can be sent again. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pathValues = [
  '%E0%A4%A',
  '%',
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  `task_${'A'.repeat(400)}`,
  '-1',
  'null',
  '%F0%9F%A6%84',
  "'%20OR%201=1%20--",
  'team_%ZZ',
];

const queries = [
  '',
  '?format=%E0%A4%A',
  '?format=gif',
  '?expires=99999999999999999999&signature=%FF',
  '?expires=-1&signature=&wm=2',
  '?next=%0d%0aLocation:%20//evil.example',
  '?next=/%09/evil.example',
  '?limit=-1&cursor=%E0%A4',
  '?limit=99999999999999999999',
  '?code=%E0&state=%00',
];

interface Body {
  readonly name: string;
  readonly contentType?: string;
  readonly body: string | Uint8Array;
}

const bodies: readonly Body[] = [
  { name: 'truncated JSON', contentType: 'application/json', body: '{"email":' },
  { name: 'JSON array', contentType: 'application/json', body: '[1,2,3]' },
  { name: 'JSON null', contentType: 'application/json', body: 'null' },
  { name: 'deep JSON', contentType: 'application/json', body: `${'['.repeat(5000)}${']'.repeat(5000)}` },
  {
    name: 'JSON of wrong types',
    contentType: 'application/json',
    body: JSON.stringify({
      email: 1,
      password: [],
      teamId: {},
      role: 'god',
      url: 'javascript:alert(1)',
      packId: null,
      image: '%%%',
      operation: 'format-disk',
      monthlySpendCap: -5,
      events: 'all',
      deviceCode: 42,
      userCode: '\u0000',
    }),
  },
  { name: 'multipart without boundary', contentType: 'multipart/form-data', body: 'image=x&operation=upscale' },
  { name: 'multipart garbage', contentType: 'multipart/form-data; boundary=zz', body: '--zz\r\nno headers\r\n--zz' },
  { name: 'multipart boundary only', contentType: 'multipart/form-data; boundary=', body: '--\r\n' },
  { name: 'bad urlencoded', contentType: 'application/x-www-form-urlencoded', body: '%E0%A4%A=%ZZ&next=%0a&a' },
  { name: 'binary as text', contentType: 'text/plain', body: new Uint8Array([0, 255, 254, 0, 10, 13, 128]) },
  { name: 'no content type', body: '{"a":1}' },
  { name: 'oversized JSON', contentType: 'application/json', body: `{"pad":"${'x'.repeat(80 * 1024)}"}` },
  { name: 'unknown content type', contentType: 'application/x-lumina;;;', body: 'x' },
];

const headerSets: readonly Record<string, string>[] = [
  {},
  { 'idempotency-key': 'k'.repeat(300) },
  { prefer: 'wait=999999999999' },
  { prefer: 'wait=-3, respond-async' },
  { accept: '*/*;q=abc, image/avif;q=2' },
  { 'lumina-team': '%E0%A4%A' },
  { 'x-api-key': 'lumina_nonsense' },
  { 'if-none-match': '"' },
  { 'stripe-signature': 't=abc,v1=' },
  { range: 'bytes=9-1' },
];

describe('issue 13 item 14: malformed requests never answer 5xx', () => {
  it('sends 200 malformed requests across every route of the app and gets no 5xx', async () => {
    const ada = await signUpBrowser(t);
    const team = await t.newTeam(5);
    const auths: readonly Record<string, string>[] = [
      {},
      { authorization: 'Bearer %E0%A4%A' },
      { authorization: 'Basic Og==' },
      team.auth,
      { cookie: 'lumina_session=%E0%A4%A; lumina_team=%00', origin: dashboardOrigin },
      // The session last: a fuzzed sign-out ends it, and later requests then simply go unauthenticated.
      ada.headers(),
    ];
    const routes = [
      ...new Map(
        t.backend.app.routes
          .filter((route) => route.method !== 'ALL')
          .map((route) => [`${route.method} ${route.path}`, route] as const),
      ).values(),
    ];
    expect(routes.length).toBeGreaterThan(40);

    const next = random(13);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const failures: string[] = [];
    for (let i = 0; i < 200; i++) {
      const route = routes[i % routes.length];
      if (!route) throw new Error('no route');
      const path = route.path
        .replace(/:[A-Za-z]+(\{[^}]*\})?/g, () => pick(pathValues))
        .replace(/\*$/, pick(pathValues));
      const url = `${path}${pick(queries)}`;
      const withBody = route.method !== 'GET' && route.method !== 'HEAD';
      const body = withBody ? pick(bodies) : undefined;
      const headers: Record<string, string> = { ...pick(auths), ...pick(headerSets) };
      if (body?.contentType) headers['content-type'] = body.contentType;
      const res = await t.request(url, { method: route.method, headers, ...(body ? { body: body.body } : {}) });
      if (res.status >= 500) {
        failures.push(`${route.method} ${url} [${body?.name ?? 'no body'}] ${JSON.stringify(headers)} → ${res.status}`);
      }
      await res.arrayBuffer();
    }
    expect(failures).toEqual([]);
  });

  it('answers every hostile path value on every route with a parameter, signed in, with a 4xx', async () => {
    // The random walk above reaches one value per route; a NUL byte in a team id once reached PostgreSQL (500).
    const ada = await signUpBrowser(t);
    const routes = [
      ...new Set(
        t.backend.app.routes
          .filter((route) => route.method !== 'ALL' && /:|\*$/.test(route.path))
          .map((route) => `${route.method} ${route.path}`),
      ),
    ];
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const route of routes) {
      const [method = 'GET', pattern = '/'] = route.split(' ');
      for (const value of pathValues) {
        const url = pattern.replace(/:[A-Za-z]+(\{[^}]*\})?/g, value).replace(/\*$/, value);
        const headers = { ...ada.headers(), 'content-type': 'application/json' };
        const body = method === 'GET' || method === 'HEAD' ? undefined : '{}';
        const res = await t.request(url, { method, headers, ...(body ? { body } : {}) });
        if (res.status >= 500) failures.push(`${method} ${url} → ${res.status}`);
        await res.arrayBuffer();
      }
    }
    expect(failures).toEqual([]);
  });
});
