import type { HealthResponse } from '@lumina/shared';
import type { ServiceContext } from './context.ts';

type Checks = NonNullable<HealthResponse['checks']>;

/** Probes every dependency the API needs to accept work; `/readyz` answers 503 while one is down. */
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
  const [database, queue, storage] = await Promise.all([
    probe(() => ping.database()),
    probe(() => ctx.queue.ping()),
    probe(() => ctx.store.check()),
  ]);
  const checks: Checks = { database, queue, storage };
  return { status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'degraded', checks };
}
