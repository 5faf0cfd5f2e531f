import { and, inArray, lte, notInArray, or } from 'drizzle-orm';
import type { Tx } from '../../db/database.ts';
import { tasks } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { objectKeysOf, parseServedKey } from './result-keys.ts';

/**
 * The retention job: deletes every task past its `expiresAt` with all its objects (input, result, variants,
 * thumbnail, watermarked copies), a batch per transaction. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several backends
 * running it at once share the work instead of colliding; objects go first and the rows last, in the same
 * transaction, so a failure half-way leaves rows that the next run finishes (deleting a missing object is not
 * an error). Ledger rows stay: their `task_id` becomes null, and the team's balance is untouched. A duplicate
 * task refers to the objects of the task it repeats, so an input or result (with its variants and thumbnail) is
 * deleted only when no task outside the batch still refers to it.
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
          teamId: tasks.teamId,
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
      for (const key of await unusedObjectKeys(tx, expired)) await ctx.store.delete(key);
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

/** The objects of `expired` that no other task refers to: inputs, and results with what was made from them. */
async function unusedObjectKeys(
  tx: Tx,
  expired: ReadonlyArray<{
    id: string;
    teamId: string;
    inputKey: string;
    outputKey: string;
    backgroundKey: string | null;
  }>,
): Promise<Set<string>> {
  const inputKeys = [...new Set(expired.map((task) => task.inputKey))];
  const backgroundKeys = [...new Set(expired.flatMap((task) => (task.backgroundKey ? [task.backgroundKey] : [])))];
  const outputKeys = [...new Set(expired.map((task) => task.outputKey))];
  const kept = await tx
    .select({ inputKey: tasks.inputKey, outputKey: tasks.outputKey, backgroundKey: tasks.backgroundKey })
    .from(tasks)
    .where(
      and(
        notInArray(
          tasks.id,
          expired.map((task) => task.id),
        ),
        or(
          inArray(tasks.inputKey, inputKeys),
          inArray(tasks.outputKey, outputKeys),
          ...(backgroundKeys.length > 0 ? [inArray(tasks.backgroundKey, backgroundKeys)] : []),
        ),
      ),
    );
  const keptInputs = new Set(kept.map((row) => row.inputKey));
  const keptOutputs = new Set(kept.map((row) => row.outputKey));
  const keptBackgrounds = new Set(kept.map((row) => row.backgroundKey));
  const unused = new Set<string>();
  for (const inputKey of inputKeys) if (!keptInputs.has(inputKey)) unused.add(inputKey);
  for (const backgroundKey of backgroundKeys) if (!keptBackgrounds.has(backgroundKey)) unused.add(backgroundKey);
  for (const task of expired) {
    if (keptOutputs.has(task.outputKey)) continue;
    // Variants and the thumbnail are named after the task whose result they were made from.
    const owner = parseServedKey(task.outputKey)?.taskId ?? task.id;
    for (const key of objectKeysOf({
      id: owner,
      teamId: task.teamId,
      inputKey: task.inputKey,
      outputKey: task.outputKey,
      // Inputs and background images are counted above: other tasks may still use them.
      backgroundKey: null,
    })) {
      if (key !== task.inputKey) unused.add(key);
    }
  }
  return unused;
}
