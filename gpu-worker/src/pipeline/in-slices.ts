/**
 * Pixels one slice of a long per-pixel loop covers before the job loop gets the event loop back (~2–5 ms of work on
 * this project's cpu): with several jobs in flight their loops would otherwise run back to back and hold off
 * BullMQ's lock renewals and the inference thread's replies for as long as they all take.
 */
export const pixelsPerSlice = 1 << 18;

/** Runs `body(start, end)` over `[0, count)` in slices, yielding to the event loop between them. */
export async function inSlices(count: number, body: (start: number, end: number) => void): Promise<void> {
  for (let start = 0; start < count; start += pixelsPerSlice) {
    body(start, Math.min(count, start + pixelsPerSlice));
    if (start + pixelsPerSlice < count) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
