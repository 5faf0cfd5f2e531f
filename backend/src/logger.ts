// The logger lives in the runtime package, shared with the workers; the backend's modules import it from here.
export { createLogger, errorFields, type Logger, silentLogger } from '@lumina/runtime';
