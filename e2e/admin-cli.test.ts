import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../backend/test/support/harness.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

/** `npm run admin -- …` exactly as an operator types it, with the server's configuration. */
const admin = (args: string[], env: Record<string, string> = t.env) =>
  run('npm', ['run', '--silent', 'admin', '--', ...args], { cwd: root, env: { ...process.env, ...env } });

describe('the admin CLI', () => {
  it('creates a team whose printed key works against the API, and grants credits', async () => {
    const created = await admin(['create-team', '--name', 'Acme design', '--credits', '7']);
    const line = created.stdout.trim().split('\n').at(-1) ?? '';
    const { teamId, apiKey } = JSON.parse(line) as { teamId: string; apiKey: string };
    expect(teamId).toMatch(/^team_/);
    expect(await t.team(teamId)).toEqual({ balance: 7, reserved: 0 });
    const res = await t.request('/api/v1/tasks', { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);

    const granted = await admin(['grant', '--team', teamId, '--credits', '5']);
    expect(JSON.parse(granted.stdout.trim().split('\n').at(-1) ?? '')).toEqual({ teamId, balance: 12 });
    expect((await t.ledger(teamId)).map((row) => [row.kind, row.balanceDelta])).toEqual([
      ['grant', 7],
      ['grant', 5],
    ]);
  });

  it('refuses bad arguments with the usage and a non-zero exit', async () => {
    await expect(admin(['grant', '--team', 'nobody', '--credits', 'lots'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage:'),
    });
  });

  it('exits with a message naming the variable when the configuration is wrong', async () => {
    await expect(
      admin(['create-team', '--name', 'x', '--credits', '1'], { ...t.env, PORT: 'eighty' }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('PORT'),
    });
  });

  it('works on the embedded database, and refuses to open it while another process holds it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lumina-pglite-'));
    const env = { ...t.env, DATABASE_URL: '', LUMINA_DATA_DIR: dataDir };
    try {
      const first = await admin(['create-team', '--name', 'local', '--credits', '1'], env);
      expect(first.stdout).toContain('team_');
      // This test process is alive, so a lock naming it is a lock held by a running server.
      writeFileSync(join(dataDir, 'pglite.lock'), String(process.pid));
      await expect(admin(['create-team', '--name', 'again', '--credits', '1'], env)).rejects.toMatchObject({
        stderr: expect.stringContaining(`in use by process ${process.pid}`),
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
