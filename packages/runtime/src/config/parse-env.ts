import type { z } from 'zod';
import { ConfigError } from './config-error.ts';

/**
 * Parses the environment once, at process start, with that process's schema (whose transform is its typed
 * config). The rule every process shares: an empty or blank variable is unset, as `FOO= cmd` in a shell means,
 * so its default applies. Every problem is reported with the variable's name.
 */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined>,
  processName: string,
): Readonly<z.output<Schema>> {
  const present = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid ${processName} configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}
