/** A configuration problem, reported with the variable's name so the operator knows what to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
