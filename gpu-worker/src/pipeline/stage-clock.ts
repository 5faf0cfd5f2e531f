/** Times a pipeline's stages: `lap()` is the time since the previous lap, `totalMs()` since the clock started. */
export function stageClock(): { lap(): number; totalMs(): number } {
  const started = performance.now();
  let mark = started;
  return {
    lap() {
      const now = performance.now();
      const elapsed = now - mark;
      mark = now;
      return elapsed;
    },
    totalMs: () => performance.now() - started,
  };
}
