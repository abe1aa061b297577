export { describeRecordProblems, RAW_RECORD, ROUTE_RECORD, SINK_RECORD } from './guards.ts';
export type { FieldKind } from './guards.ts';
export type * from './types.ts';
