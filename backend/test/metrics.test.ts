import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;
const token = 'metrics-token-0123456789';

beforeAll(async () => {
  t = await startTestBackend({ METRICS_TOKEN: token }, { background: false });
});
afterAll(async () => {
  await t?.close();
});

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('asks for METRICS_TOKEN when one is configured', async () => {
    expect((await t.request('/metrics')).status).toBe(401);
    expect((await t.request('/metrics', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(
      401,
    );
    const res = await t.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
  });

  it('shows a waiting job and its age while no worker runs, and labels unknown paths as unmatched', async () => {
    const team = await t.newTeam(2);
    const submitted = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(fixture('horse.png')),
    });
    expect(submitted.status).toBe(202);
    await t.request('/no/such/path/12345');
    const text = await (await t.request('/metrics', { headers: { authorization: `Bearer ${token}` } })).text();
    expect(sample(text, 'lumina_queue_jobs{queue="lumina-gpu",state="waiting"}')).toBe(1);
    expect(sample(text, 'lumina_queue_oldest_waiting_seconds{queue="lumina-gpu"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'lumina_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(text).not.toContain('/no/such/path');
  });
});
