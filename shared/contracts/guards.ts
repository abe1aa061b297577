// Shape checks for requests arriving at a function. A function is invoked by the bridge, but
// also by hand (`osls invoke`), so a malformed request is answered with a clear message.

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeRecordProblems(
  request: unknown,
  required: Readonly<Record<string, 'string' | 'object'>>,
): string[] {
  if (!isObject(request) || !Array.isArray(request.records)) return ['request must be {"records": [...]}'];
  const problems: string[] = [];
  request.records.forEach((record: unknown, index: number) => {
    if (!isObject(record)) {
      problems.push(`records[${index}] must be an object`);
      return;
    }
    for (const [field, kind] of Object.entries(required)) {
      const value = record[field];
      const ok = kind === 'string' ? typeof value === 'string' : isObject(value);
      if (!ok) problems.push(`records[${index}].${field} must be a${kind === 'object' ? 'n object' : ' string'}`);
    }
  });
  return problems.slice(0, 10);
}

const RAW_RECORD = { id: 'string', subject: 'string', payload: 'string', publishedAt: 'string', headers: 'object' } as const;
const ROUTE_RECORD = { id: 'string', subject: 'string' } as const;
const SINK_RECORD = { id: 'string', subject: 'string', event: 'object' } as const;

export { describeRecordProblems, RAW_RECORD, ROUTE_RECORD, SINK_RECORD };
