import { ErrorBody } from '@lumina/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardOrigin, signUpBrowser } from './support/accounts.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

// Issue 13, items 2 and 14: request bodies are bounded on every route, and malformed requests answer 4xx with a
// stable code instead of an unhandled 500.
let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend({ MAX_BODY_BYTES: String(64 * 1024) }, { background: false });
});
afterAll(async () => {
  await t?.close();
});

const errorCodeOf = async (res: Response) => ErrorBody.parse(await res.json()).error.code;

/** A body that arrives in chunks, without Content-Length, as a client streaming it would send it. */
const streamed = (bytes: number) => {
  const chunk = new TextEncoder().encode(`{"pad":"${'x'.repeat(16 * 1024)}`);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) {
        controller.close();
        return;
      }
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
};

describe('issue 13 item 2: every non-upload route has a body limit', () => {
  it('answers 413 body_too_large to a JSON body over MAX_BODY_BYTES on the unauthenticated pairing route', async () => {
    const res = await t.request('/api/v1/pairings/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceCode: 'x'.repeat(200 * 1024) }),
    });
    expect(res.status).toBe(413);
    const body = ErrorBody.parse(await res.json());
    expect(body.error).toMatchObject({ code: 'body_too_large', details: { maxBodyBytes: 64 * 1024 } });
  });

  it('cuts off a chunked body without Content-Length as soon as it passes the limit', async () => {
    const res = await t.request('/api/v1/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: dashboardOrigin },
      body: streamed(1024 * 1024),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await errorCodeOf(res)).toBe('body_too_large');
  });

  it('limits dashboard form posts too', async () => {
    const ada = await signUpBrowser(t);
    const res = await t.request('/keys', {
      method: 'POST',
      headers: ada.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: `name=${'x'.repeat(100 * 1024)}`,
    });
    expect(res.status).toBe(413);
  });

  it('still takes uploads up to MAX_UPLOAD_BYTES on the upload routes', async () => {
    const team = await t.newTeam(2);
    const image = fixture('coffee.png'); // 467 KB, over the default body limit
    expect(image.byteLength).toBeGreaterThan(64 * 1024);
    const res = await t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(image) });
    expect(res.status).toBe(202);
  });
});

describe('issue 13 item 14: malformed requests answer 4xx with stable codes', () => {
  it('answers a malformed percent-escape in a file path with 404 not_found', async () => {
    const res = await t.request('/files/%E0%A4%A');
    expect(res.status).toBe(404);
    expect(await errorCodeOf(res)).toBe('not_found');
    const result = await t.request('/files/results/%E0%A4%A.png?expires=1&signature=x');
    expect(result.status).toBe(404);
  });

  it('answers multipart without a boundary with 400 invalid_request, on the API and on dashboard forms', async () => {
    const team = await t.newTeam(2);
    const api = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'multipart/form-data' },
      body: 'operation=remove-background',
    });
    expect(api.status).toBe(400);
    expect(await errorCodeOf(api)).toBe('invalid_request');
    const removebg = await t.request('/v1.0/removebg', {
      method: 'POST',
      headers: { 'x-api-key': team.apiKey, 'content-type': 'multipart/form-data' },
      body: 'size=auto',
    });
    expect(removebg.status).toBe(400);
    const form = await t.request('/sign-in', {
      method: 'POST',
      headers: { origin: dashboardOrigin, 'content-type': 'multipart/form-data' },
      body: 'email=a@example.com',
    });
    expect(form.status).toBe(400);
  });

  it('answers a broken multipart envelope with 400 invalid_request', async () => {
    const team = await t.newTeam(2);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'multipart/form-data; boundary=b0und' },
      body: '--b0und\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nPNG',
    });
    expect(res.status).toBe(400);
    expect(await errorCodeOf(res)).toBe('invalid_request');
  });

  it('answers a newline in next with a redirect, not a 500', async () => {
    const ada = await signUpBrowser(t);
    const res = await t.request('/sign-in', {
      method: 'POST',
      headers: { origin: dashboardOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: ada.email, password: ada.password, next: '/x\ny' }).toString(),
    });
    expect(res.status).toBe(303);
  });
});
