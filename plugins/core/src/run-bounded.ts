/** How many items a batch keeps in flight: enough to overlap upload and processing, few enough not to flood. */
export const batchConcurrency = 3;

/**
 * Runs `work` on every item, at most `limit` at a time, in the list's order; resolves when all have settled.
 * One that throws is reported to `onError` and the others go on.
 */
export async function runBounded<T>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<void>,
  options: { limit?: number; onError?: (error: unknown, item: T, index: number) => void } = {},
): Promise<void> {
  const limit = Math.max(1, Math.floor(options.limit ?? batchConcurrency));
  const queue = items.map((item, index) => ({ item, index }));
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await work(next.item, next.index);
      } catch (error) {
        options.onError?.(error, next.item, next.index);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, lane));
}
