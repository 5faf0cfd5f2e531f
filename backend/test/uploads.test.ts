import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ErrorBody, type ErrorCode } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import { processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import {
  bmp,
  lyingHeaderPng,
  oversizedUpload,
  pdf,
  pngBomb30000,
  svg,
  textNamedPng,
  truncatedJpeg,
  truncatedPng,
  zeroBytes,
} from './support/hostile-images.ts';

let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

const hostile: Array<[string, number, ErrorCode, () => Uint8Array]> = [
  ['zero bytes', 400, 'empty_upload', zeroBytes],
  ['text named .png', 415, 'unsupported_media_type', textNamedPng],
  ['a truncated PNG', 422, 'image_corrupt', truncatedPng],
  ['a truncated JPEG', 422, 'image_corrupt', truncatedJpeg],
  ['a 30000×30000 PNG bomb', 422, 'image_too_large', pngBomb30000],
  ['a PNG header that lies about its size', 422, 'image_too_large', () => lyingHeaderPng()],
  ['an upload over 25 MB', 413, 'upload_too_large', () => oversizedUpload()],
  ['SVG', 415, 'unsupported_media_type', svg],
  ['BMP', 415, 'unsupported_media_type', bmp],
  ['PDF', 415, 'unsupported_media_type', pdf],
];

describe('hostile uploads', () => {
  it.each(hostile)('refuses %s with %i %s, charges nothing and stores nothing', async (_name, status, code, make) => {
    const team = await t.newTeam(3);
    const inputsBefore = await t.backend.ctx.store.list('inputs/');
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(make(), {}, 'photo.png'),
    });
    expect(res.status).toBe(status);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(await t.team(team.teamId)).toEqual({ balance: 3, reserved: 0 });
    expect(await t.ledger(team.teamId)).toHaveLength(1); // the initial grant only
    expect(await t.backend.ctx.db.select().from(tasks).where(eq(tasks.teamId, team.teamId))).toEqual([]);
    expect(await t.backend.ctx.store.list('inputs/')).toEqual(inputsBefore);
  });

  it('refuses base64 JSON that is not base64', async () => {
    const team = await t.newTeam(1);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ image: 'not*base64!', operation: 'remove-background' }),
    });
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('invalid_request');
  });

  it('refuses an oversized body from its Content-Length, before reading it', async () => {
    const team = await t.newTeam(1);
    const server = serve({ fetch: t.backend.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      // Announce 40 MB and send only a few bytes: an answer can only come from the header check.
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/process',
            headers: {
              ...team.auth,
              'content-type': 'multipart/form-data; boundary=x',
              'content-length': String(40 * 1024 * 1024),
            },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              body += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write('--x\r\n');
      });
      expect(answer.status).toBe(413);
      expect(ErrorBody.parse(JSON.parse(answer.body)).error.code).toBe('upload_too_large');
      expect(await t.team(team.teamId)).toEqual({ balance: 1, reserved: 0 });
    } finally {
      server.close();
    }
  });
});
