export { circuitOf, DELIVERY_RECORD, describeRecordProblems, PINNED_RECORD, RAW_RECORD, ROUTE_RECORD, sinkWriteFields } from './guards.ts';
export type { FieldKind } from './guards.ts';
export type * from './types.ts';
