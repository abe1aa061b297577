import type { Logger } from '../logging/index.ts';

type ConsoleWrite = 'register' | 'message write' | 'replay' | 'purge';

/**
 * The log line of a console write, so operators see what changed from the page: which write and
 * what it touched (ids and counts, never payloads or the token). Refusals are logged by the
 * handler with their status, like the registry API's writes.
 */
function logWrite(logger: Logger, write: ConsoleWrite, fields: Record<string, unknown>): void {
  logger.info('console write', { write, ...fields });
}

export { logWrite };
export type { ConsoleWrite };
