import { and, asc, eq, lt } from 'drizzle-orm';
import { webhookDeliveries } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';

const batchSize = 500;

/**
 * PostgreSQL holds every delivery; Redis may lose its jobs (flushed, or a process died mid-attempt). A pending
 * delivery whose next attempt is overdue by more than the grace period gets that attempt queued again. The job id
 * is fixed by the delivery and attempt, so a job that is merely late is not doubled. Returns how many it queued.
 */
export async function sweepWebhookDeliveries({
  ctx,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config' | 'webhooks'>;
}): Promise<number> {
  const overdue = await ctx.db
    .select({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, 'pending'),
        lt(webhookDeliveries.nextAttemptAt, new Date(Date.now() - ctx.config.reconcileGraceMs)),
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(batchSize);
  for (const delivery of overdue) {
    await ctx.webhooks.enqueue({ deliveryId: delivery.id, attempt: delivery.attempts + 1 }, 0);
  }
  return overdue.length;
}
