import type { HealthResponse } from '@lumina/shared';
import type { ServiceContext } from '../context.ts';

type Checks = NonNullable<HealthResponse['checks']>;

/**
 * Probes every dependency the API needs to accept work; `/readyz` answers 503 while one is down. It also lists
 * the gpu-workers with a live heartbeat (their model and execution provider): none up does not make the API
 * unready, since accepted tasks wait in the queue, but the `workers` check says so.
 */
export async function checkReadiness({
  ctx,
  ping,
}: {
  ctx: ServiceContext;
  ping: { database(): Promise<void> };
}): Promise<HealthResponse> {
  const probe = async (fn: () => Promise<void>) => {
    try {
      await fn();
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  };
  const [database, queue, storage, workers] = await Promise.all([
    probe(() => ping.database()),
    probe(() => ctx.queue.ping()),
    probe(() => ctx.store.check()),
    ctx.queue.workers().catch(() => []),
  ]);
  const checks: Checks = { database, queue, storage };
  const status = Object.values(checks).every((c) => c.ok) ? 'ok' : 'degraded';
  checks.workers =
    workers.length > 0
      ? { ok: true }
      : { ok: true, detail: 'no gpu-worker is running: tasks are accepted and wait in the queue until one starts' };
  return { status, checks, workers };
}
