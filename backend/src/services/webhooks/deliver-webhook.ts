import { errorFields } from '@lumina/runtime';
import type { WebhookAttemptJob } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema.ts';
import { sendWebhook } from '../../webhooks/send-webhook.ts';
import { signWebhook } from '../../webhooks/sign-webhook.ts';
import type { ServiceContext } from '../context.ts';

export type AttemptOutcome = 'stale' | 'succeeded' | 'retrying' | 'failed';

/** Room for this process to record an attempt's answer before the sweep may consider the attempt lost. */
const recordGraceMs = 30_000;

/**
 * Makes attempt `attempt` of a delivery. The attempt is claimed first (`attempts` goes from n-1 to n only while
 * the delivery is pending), so a duplicate job or a second process changes nothing; then the message is signed
 * and POSTed. A 2xx answer succeeds; anything else, or no answer in time, schedules the next attempt on the retry
 * schedule, or fails the delivery after the last one. If this process dies mid-attempt, the claim's provisional
 * `next_attempt_at` lets the sweep queue the next attempt.
 */
export async function deliverWebhook({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config' | 'webhooks' | 'log' | 'metrics'>;
  input: WebhookAttemptJob;
}): Promise<AttemptOutcome> {
  const { deliveryId, attempt } = input;
  const { retryScheduleMs, timeoutMs, allowPrivateUrls } = ctx.config.webhooks;
  const started = new Date();
  const guard = and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, 'pending'));

  if (attempt > retryScheduleMs.length) {
    // Only the sweep asks for more attempts than the schedule has: the last one was lost with its process.
    const [closed] = await ctx.db
      .update(webhookDeliveries)
      .set({ status: 'failed', nextAttemptAt: null, lastError: 'The last attempt was interrupted.' })
      .where(and(guard, eq(webhookDeliveries.attempts, attempt - 1)))
      .returning({ id: webhookDeliveries.id });
    return closed ? 'failed' : 'stale';
  }

  const provisionalNext = new Date(started.getTime() + timeoutMs + recordGraceMs + (retryScheduleMs[attempt] ?? 0));
  const [claimed] = await ctx.db
    .update(webhookDeliveries)
    .set({ attempts: attempt, nextAttemptAt: provisionalNext })
    .where(and(guard, eq(webhookDeliveries.attempts, attempt - 1)))
    .returning();
  if (!claimed) return 'stale';
  const [endpoint] = await ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, claimed.endpointId));
  if (!endpoint) return 'stale';

  let response: { status: number | null; error: string | null };
  let final = attempt >= retryScheduleMs.length;
  if (!endpoint.enabled) {
    response = { status: null, error: 'The endpoint is disabled.' };
    final = true;
  } else {
    const body = JSON.stringify(claimed.payload);
    const timestampSeconds = Math.floor(started.getTime() / 1000);
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > started) {
      secrets.push(endpoint.previousSecret);
    }
    response = await sendWebhook({
      url: endpoint.url,
      body,
      timeoutMs,
      allowPrivateAddresses: allowPrivateUrls,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Lumina-Webhooks/1',
        'webhook-id': claimed.id,
        'webhook-timestamp': String(timestampSeconds),
        'webhook-signature': signWebhook({ id: claimed.id, timestampSeconds, body, secrets }),
      },
    });
  }

  const finished = new Date();
  const succeeded = response.status !== null && response.status >= 200 && response.status < 300;
  const outcome: AttemptOutcome = succeeded ? 'succeeded' : final ? 'failed' : 'retrying';
  const delayMs = retryScheduleMs[attempt] ?? 0;
  const [recorded] = await ctx.db
    .update(webhookDeliveries)
    .set({
      status: outcome === 'retrying' ? 'pending' : outcome,
      lastHttpStatus: response.status,
      lastError: succeeded ? null : (response.error ?? `HTTP ${response.status}`),
      deliveredAt: succeeded ? finished : null,
      nextAttemptAt: outcome === 'retrying' ? new Date(finished.getTime() + delayMs) : null,
    })
    .where(and(guard, eq(webhookDeliveries.attempts, attempt)))
    .returning({ id: webhookDeliveries.id });
  if (!recorded) return 'stale';
  ctx.metrics.webhookAttempts.inc({ event: claimed.eventType, outcome });
  if (outcome === 'retrying') {
    await ctx.webhooks.enqueue({ deliveryId, attempt: attempt + 1 }, delayMs).catch((error: unknown) => {
      ctx.log.warn('could not queue the next webhook attempt; the sweep will', { deliveryId, ...errorFields(error) });
    });
  }
  return outcome;
}
