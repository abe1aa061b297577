export { createLogger, describeError } from './logger.ts';
export type { LogFields, Logger, LogLevel } from './logger.ts';
export { redactUrl } from './redactUrl.ts';
