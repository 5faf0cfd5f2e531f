import { z } from 'zod';

/** A whole number above 0, from its text. */
export const positiveIntEnv = z.coerce.number().int().positive();

/** A whole number from 0, from its text (0 usually turns something off). */
export const nonNegativeIntEnv = z.coerce.number().int().nonnegative();

/** A TCP port; 0 means "not served" where a process says so. */
export const portEnv = z.coerce.number().int().min(0).max(65535);

/** `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any case. */
export const booleanEnv = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/**
 * The variables every process that meets the queue and the object store declares alike: the backend and its
 * workers must agree on the Redis address, the BullMQ key prefix and where objects live.
 */
export const queueEnv = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix; the backend and its workers must agree on it. */
  LUMINA_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('lumina'),
  LUMINA_DATA_DIR: z.string().min(1).default('./data'),
};
