import type { Logger, ObjectStore } from '@lumina/runtime';
import type { Redis } from 'ioredis';
import type { GoogleSignIn } from '../auth/google-sign-in.ts';
import type { PaymentGateway } from '../billing/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { Mailer } from '../mail/index.ts';
import type { ApiMetrics } from '../metrics/index.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import type { SignedUrls } from '../signed-urls.ts';
import type { TaskUpdates } from '../task-updates.ts';
import type { ImageWork } from '../variants/index.ts';
import type { WebhookQueue } from '../webhooks/webhook-queue.ts';
import type { EtaEstimator } from './tasks/estimate-eta.ts';

/** Everything a use case may touch, built once by the composition root. */
export interface ServiceContext {
  readonly config: Config;
  readonly db: Db;
  readonly store: ObjectStore;
  readonly queue: TaskQueue;
  /** Request-time Redis work (rate limits); its commands fail fast when Redis is down. */
  readonly redis: Redis;
  readonly signedUrls: SignedUrls;
  readonly updates: TaskUpdates;
  readonly eta: EtaEstimator;
  readonly log: Logger;
  readonly metrics: ApiMetrics;
  /** Stripe, when both its secrets are configured; undefined means billing is off. */
  readonly payments: PaymentGateway | undefined;
  /** Google sign-in, when its OAuth client is configured. */
  readonly google: GoogleSignIn | undefined;
  /** SMTP, when configured: invites to an e-mail address are sent there. */
  readonly mailer: Mailer | undefined;
  /** The `lumina-webhooks` queue: one job per attempt of an outgoing webhook. */
  readonly webhooks: WebhookQueue;
  /** Bounds the image decoding and encoding that serving files does in this process. */
  readonly imageWork: ImageWork;
}
