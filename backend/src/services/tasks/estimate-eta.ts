import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { tasks } from '../../db/schema.ts';

export interface EtaEstimator {
  /** Seconds one task of `operation` takes on a worker, from recent completions (cached briefly). */
  processingSeconds(operation: string): Promise<number>;
  /** Seconds until a task at `position` (0 = next) finishes, with `workers` working in parallel. */
  queuedEta(operation: string, position: number, workers: number): Promise<number>;
}

const defaultProcessingSeconds = 3;
const sampleSize = 50;
const cacheMs = 10_000;

export function createEtaEstimator(db: Db): EtaEstimator {
  const cache = new Map<string, { seconds: number; at: number }>();
  const processingSeconds = async (operation: string) => {
    const hit = cache.get(operation);
    if (hit && Date.now() - hit.at < cacheMs) return hit.seconds;
    const recent = await db
      .select({ startedAt: tasks.startedAt, finishedAt: tasks.finishedAt })
      .from(tasks)
      .where(and(eq(tasks.operation, operation), eq(tasks.status, 'COMPLETED'), isNotNull(tasks.startedAt)))
      .orderBy(desc(tasks.finishedAt))
      .limit(sampleSize);
    const durations = recent.flatMap((t) =>
      t.startedAt && t.finishedAt ? [(t.finishedAt.getTime() - t.startedAt.getTime()) / 1000] : [],
    );
    const seconds =
      durations.length > 0 ? durations.reduce((sum, d) => sum + d, 0) / durations.length : defaultProcessingSeconds;
    cache.set(operation, { seconds, at: Date.now() });
    return seconds;
  };
  return {
    processingSeconds,
    async queuedEta(operation, position, workers) {
      const each = await processingSeconds(operation);
      const rounds = Math.floor(position / Math.max(1, workers)) + 1;
      return Math.round(each * rounds * 10) / 10;
    },
  };
}
