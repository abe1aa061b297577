export { SinkRejectedError, SinkTargetMissingError, SinkUnavailableError } from './errors.ts';
export { createPostgresTableSink, ensurePostgresTable } from './postgresTable.ts';
export type { Sink } from './types.ts';
