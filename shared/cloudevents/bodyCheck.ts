import { type CloudEventAttributes, timestampMs } from './attributes.ts';
import { cloudEventMismatch } from './errors.ts';

/** The fields of a decoded Avro body that a CloudEvent's attributes also state. */
type BodyFields = { readonly id?: unknown; readonly source?: unknown; readonly type?: unknown; readonly time?: unknown };

/**
 * Where the body has a field the attributes also state, the two must agree: id, source and type
 * exactly, time to the millisecond (the body's `time` is timestamp-millis; a finer `ce-time`
 * counts by its millisecond). A body without the field leaves the attribute to speak for it.
 * Throws `cloudevents_mismatch` naming every field that disagrees.
 */
function checkAgainstBody(attributes: CloudEventAttributes, body: BodyFields, mode: 'binary' | 'structured'): void {
  const label = (name: string): string => (mode === 'binary' ? `header ce-${name}` : `attribute ${name}`);
  const problems: string[] = [];
  for (const name of ['id', 'source', 'type'] as const) {
    const field = body[name];
    if (typeof field === 'string' && field !== attributes[name]) {
      problems.push(`${label(name)} is ${JSON.stringify(attributes[name])}, the body's ${name} ${JSON.stringify(field)}`);
    }
  }
  if (attributes.time !== undefined && body.time instanceof Date && body.time.getTime() !== timestampMs(attributes.time)) {
    problems.push(`${label('time')} is ${attributes.time}, the body's time ${body.time.toISOString()}`);
  }
  if (problems.length > 0) throw cloudEventMismatch(problems.join('; '));
}

export { checkAgainstBody };
export type { BodyFields };
