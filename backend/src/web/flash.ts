import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { webUserOf } from './web-session.ts';

const flashCookieName = 'lumina_flash';
/** Long enough for the redirect that follows a form post, short enough that a secret does not linger. */
const flashTtlSeconds = 120;

const StoredFlash = z.object({ sessionId: z.string(), path: z.string(), data: z.unknown() });

const keyOf = (c: Context<AppEnv>, id: string): string => `${c.var.ctx.config.queuePrefix}:lumina:flash:${id}`;
const cookieOptions = (c: Context<AppEnv>) => ({
  httpOnly: true,
  sameSite: 'Lax' as const,
  secure: c.var.ctx.config.publicBaseUrl.startsWith('https:'),
  path: '/',
});

/**
 * What a successful form post hands to the page it redirects to (POST-redirect-GET): kept server-side in Redis
 * under a random id that only an HttpOnly cookie carries, so a new key's secret never rides in a URL or in
 * browser history. It belongs to the browser session that posted and to one page.
 */
export async function setFlash(c: Context<AppEnv>, path: string, data: unknown): Promise<void> {
  const id = randomBytes(18).toString('base64url');
  const stored = { sessionId: webUserOf(c).sessionId, path, data } satisfies z.infer<typeof StoredFlash>;
  await c.var.ctx.redis.set(keyOf(c, id), JSON.stringify(stored), 'EX', flashTtlSeconds);
  setCookie(c, flashCookieName, id, { ...cookieOptions(c), maxAge: flashTtlSeconds });
}

/**
 * The flash for this page, read once: the record is deleted as it is read, so a reload shows the page without
 * it. A flash for another page or another session is dropped unread.
 */
export async function takeFlash<T>(c: Context<AppEnv>, path: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const id = getCookie(c, flashCookieName);
  if (id === undefined) return undefined;
  deleteCookie(c, flashCookieName, cookieOptions(c));
  if (!/^[A-Za-z0-9_-]{24}$/.test(id)) return undefined;
  const raw = await c.var.ctx.redis.getdel(keyOf(c, id));
  if (raw === null) return undefined;
  const stored = StoredFlash.safeParse(JSON.parse(raw));
  if (!stored.success || stored.data.sessionId !== webUserOf(c).sessionId || stored.data.path !== path) {
    return undefined;
  }
  const data = schema.safeParse(stored.data.data);
  return data.success ? data.data : undefined;
}
