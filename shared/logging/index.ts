export { createLogger } from './logger.ts';
export type { LogFields, Logger } from './logger.ts';
export { redactUrl } from './redactUrl.ts';
