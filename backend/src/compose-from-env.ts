import { createLogger, errorFields, type Logger } from '@lumina/runtime';
import { type Backend, composeBackend } from './compose.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';

/** Process entry helper: parse the environment once, exit with a readable message when it is wrong. */
export async function compose(component: string): Promise<{ backend: Backend; config: Config; log: Logger }> {
  const log = createLogger(component);
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`lumina: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  try {
    return { backend: await composeBackend(config, { log }), config, log };
  } catch (error) {
    log.error('could not start', errorFields(error));
    process.exit(1);
  }
}
