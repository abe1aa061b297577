import { isObject } from '../json/index.ts';
// Shape checks for requests arriving at a function. A function is invoked by the bridge, but
// also by hand (`osls invoke`), so a malformed request is answered with a clear message.

type FieldKind = 'string' | 'number' | 'object' | 'pin';

const ARTICLE: Readonly<Record<FieldKind, string>> = {
  string: 'a string',
  number: 'a number',
  object: 'an object',
  pin: 'a schema pin {"numericId": number, "cacheKey": string}',
};

function hasKind(value: unknown, kind: FieldKind): boolean {
  if (kind === 'string') return typeof value === 'string';
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (kind === 'pin') return isObject(value) && typeof value.numericId === 'number' && typeof value.cacheKey === 'string';
  return isObject(value);
}

/** A record's optional stage headers: header name → value. */
function isStringMap(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return true;
}

/** The optional W3C trace context of the bridge's invoke span: absent, or strings (the handler ignores a malformed value). */
function traceFieldProblems(request: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const field of ['traceparent', 'tracestate']) {
    if (request[field] !== undefined && typeof request[field] !== 'string') problems.push(`${field} must be a string when present`);
  }
  return problems;
}

/** Runs on every invocation, over every record: one pass, no allocation per record unless a field is wrong. */
function describeRecordProblems(request: unknown, required: Readonly<Record<string, FieldKind>>): string[] {
  if (!isObject(request) || !Array.isArray(request.records)) return ['request must be {"records": [...]}'];
  const problems: string[] = traceFieldProblems(request);
  const fields = Object.entries(required);
  const records: readonly unknown[] = request.records;
  for (let index = 0; index < records.length && problems.length < 10; index++) {
    const record = records[index];
    if (!isObject(record)) {
      problems.push(`records[${index}] must be an object`);
      continue;
    }
    for (const [field, kind] of fields) {
      if (!hasKind(record[field], kind)) problems.push(`records[${index}].${field} must be ${ARTICLE[kind]}`);
    }
    if (record.headers !== undefined && !isStringMap(record.headers)) problems.push(`records[${index}].headers must be an object of strings when present`);
  }
  return problems.slice(0, 10);
}

const RAW_RECORD = { id: 'string', subject: 'string', payload: 'string', publishedAtMs: 'number' } as const;
const ROUTE_RECORD = { id: 'string', subject: 'string' } as const;
const DELIVERY_RECORD = { id: 'string', subject: 'string', eventId: 'string' } as const;
const PINNED_RECORD = { ...DELIVERY_RECORD, payload: 'string', publishedAtMs: 'number', reader: 'pin', writer: 'pin' } as const;

/** Sink-write's records: pinned payloads to write, or bare event ids when it only records or checks deliveries. */
function sinkWriteFields(request: unknown): Readonly<Record<string, FieldKind>> {
  return isObject(request) && (request.recordDeliveryOnly === true || request.checkDeliveryOnly === true) ? DELIVERY_RECORD : PINNED_RECORD;
}

/**
 * The circuit state a sink-write answer reports, when it reports one that is valid; anything else
 * (an older function, a hand-made answer) reports nothing rather than a wrong state.
 */
function circuitOf(response: unknown): 'open' | 'closed' | undefined {
  if (!isObject(response)) return undefined;
  const { circuit } = response;
  return circuit === 'open' || circuit === 'closed' ? circuit : undefined;
}

export { circuitOf, DELIVERY_RECORD, describeRecordProblems, PINNED_RECORD, RAW_RECORD, ROUTE_RECORD, sinkWriteFields };
export type { FieldKind };
