export { IngestError } from './errors.ts';
export type { IngestErrorOptions } from './errors.ts';
export { FailureReason, Stage } from './types.ts';
export type { RecordFailure, SinkOutcome } from './types.ts';
