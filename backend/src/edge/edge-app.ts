import { Hono } from 'hono';

/** Bindings the edge worker reads from `wrangler.toml` / the Workers dashboard. */
export interface EdgeBindings {
  /** Where the Node backend answers, e.g. https://api.lumina.example */
  LUMINA_ORIGIN: string;
}

const hopByHop = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host'];

/**
 * The edge entry, built from the same Hono code as the origin. Today it forwards every request to the origin
 * unchanged (streaming both ways); caching of result files from R2 and the watermark rule come with the edge
 * milestone. It imports nothing from Node, so it runs on Cloudflare Workers.
 */
export function createEdgeApp() {
  return new Hono<{ Bindings: EdgeBindings }>()
    .get('/edge/healthz', (c) => c.json({ status: 'ok' as const }, 200))
    .all('*', async (c) => {
      const incoming = new URL(c.req.url);
      const target = new URL(incoming.pathname + incoming.search, c.env.LUMINA_ORIGIN);
      const headers = new Headers(c.req.raw.headers);
      for (const name of hopByHop) headers.delete(name);
      headers.set('x-forwarded-host', incoming.host);
      const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
      const init: RequestInit & { duplex?: 'half' } = {
        method: c.req.method,
        headers,
        redirect: 'manual',
        ...(hasBody ? { body: c.req.raw.body, duplex: 'half' } : {}),
      };
      return fetch(target, init);
    });
}

export default createEdgeApp();
