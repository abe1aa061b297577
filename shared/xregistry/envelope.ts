import { isObject } from '../json/index.ts';

type Json = Record<string, unknown>;

/**
 * The fields the plane reads from every event: a string `id` (the idempotency key) and, when
 * present, a `time` that is a timestamp-millis long. Returns what is wrong, empty when fine.
 */
function checkEnvelopeFields(definition: unknown): string[] {
  if (!isObject(definition) || definition.type !== 'record' || !Array.isArray(definition.fields)) {
    return ['the schema must be an Avro record'];
  }
  const fields = definition.fields as unknown[];
  const field = (name: string): Json | undefined => fields.find((item): item is Json => isObject(item) && item.name === name);
  const problems: string[] = [];
  if (field('id')?.type !== 'string') problems.push('the schema needs a field "id" of type string (the event id)');
  const time = field('time');
  if (time !== undefined) {
    const type = time.type;
    const ok = type === 'long' || (isObject(type) && type.type === 'long' && type.logicalType === 'timestamp-millis');
    if (!ok) problems.push('field "time" must be a long with logicalType timestamp-millis');
  }
  return problems;
}

export { checkEnvelopeFields };
