import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';

/**
 * `/metrics` on a port of its own: a worker's (workers have no HTTP API), or the API's with METRICS_PORT, kept
 * off the public port; `token`, when given, is asked for as a bearer token. A port already taken — a second worker
 * on the same host with the same setting — is logged and skipped rather than stopping the worker.
 */
export async function serveMetrics(
  registry: Registry,
  options: { port: number; host: string; log: Logger; token?: string | undefined },
): Promise<{ port: number | null; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401).end();
      return;
    }
    registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch(() => res.writeHead(500).end());
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', (error) => {
      options.log.warn('metrics not served: the port is taken', { port: options.port, error: error.message });
      resolve(false);
    });
    server.listen(options.port, options.host, () => resolve(true));
  });
  return {
    port: listening ? (server.address() as AddressInfo).port : null,
    close: () => new Promise((resolve) => (listening ? server.close(() => resolve()) : resolve())),
  };
}
