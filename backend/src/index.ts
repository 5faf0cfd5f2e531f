export { type Backend, composeBackend } from './compose.ts';
export { type Config, ConfigError, loadConfig } from './config.ts';
