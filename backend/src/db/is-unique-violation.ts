/** PostgreSQL's `unique_violation` (23505), through drizzle's wrapping of the driver's error. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const fields = e as Error & { code?: unknown; constraint?: unknown };
    if (fields.code === '23505') return constraint === undefined || fields.constraint === constraint;
  }
  return false;
}
