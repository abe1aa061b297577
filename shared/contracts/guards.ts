import { isObject } from '../json/index.ts';
// Shape checks for requests arriving at a function. A function is invoked by the bridge, but
// also by hand (`osls invoke`), so a malformed request is answered with a clear message.

type FieldKind = 'string' | 'number' | 'object';

const ARTICLE: Readonly<Record<FieldKind, string>> = { string: 'a string', number: 'a number', object: 'an object' };

function hasKind(value: unknown, kind: FieldKind): boolean {
  if (kind === 'string') return typeof value === 'string';
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  return isObject(value);
}

/** Runs on every invocation, over every record: one pass, no allocation per record unless a field is wrong. */
function describeRecordProblems(request: unknown, required: Readonly<Record<string, FieldKind>>): string[] {
  if (!isObject(request) || !Array.isArray(request.records)) return ['request must be {"records": [...]}'];
  const fields = Object.entries(required);
  const records: readonly unknown[] = request.records;
  const problems: string[] = [];
  for (let index = 0; index < records.length && problems.length < 10; index++) {
    const record = records[index];
    if (!isObject(record)) {
      problems.push(`records[${index}] must be an object`);
      continue;
    }
    for (const [field, kind] of fields) {
      if (!hasKind(record[field], kind)) problems.push(`records[${index}].${field} must be ${ARTICLE[kind]}`);
    }
  }
  return problems.slice(0, 10);
}

const RAW_RECORD = { id: 'string', subject: 'string', payload: 'string', publishedAtMs: 'number' } as const;
const ROUTE_RECORD = { id: 'string', subject: 'string' } as const;
const SINK_RECORD = { id: 'string', subject: 'string', event: 'object' } as const;

export { describeRecordProblems, RAW_RECORD, ROUTE_RECORD, SINK_RECORD };
export type { FieldKind };
