import { inArray, lte } from 'drizzle-orm';
import { tasks } from '../db/schema.ts';
import type { ServiceContext } from './context.ts';
import { objectKeysOf } from './result-keys.ts';

/**
 * The retention job: deletes every task past its `expiresAt` with all its objects (input, result, variants,
 * thumbnail), a batch per transaction. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several backends
 * running it at once share the work instead of colliding; objects go first and the rows last, in the same
 * transaction, so a failure half-way leaves rows that the next run finishes (deleting a missing object is not
 * an error). Ledger rows stay: their `task_id` becomes null, and the team's balance is untouched.
 */
export async function purgeExpiredTasks({
  ctx,
  input = {},
}: {
  ctx: Pick<ServiceContext, 'db' | 'store' | 'config'>;
  input?: { now?: Date };
}): Promise<{ deleted: number }> {
  const now = input.now ?? new Date();
  const batchSize = ctx.config.retention.batchSize;
  let deleted = 0;
  for (;;) {
    const count = await ctx.db.transaction(async (tx) => {
      const expired = await tx
        .select({
          id: tasks.id,
          inputKey: tasks.inputKey,
          outputKey: tasks.outputKey,
          backgroundKey: tasks.backgroundKey,
        })
        .from(tasks)
        .where(lte(tasks.expiresAt, now))
        .orderBy(tasks.expiresAt)
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (expired.length === 0) return 0;
      for (const task of expired) await Promise.all(objectKeysOf(task).map((key) => ctx.store.delete(key)));
      await tx.delete(tasks).where(
        inArray(
          tasks.id,
          expired.map((task) => task.id),
        ),
      );
      return expired.length;
    });
    deleted += count;
    if (count < batchSize) return { deleted };
  }
}
