import { isObject } from '../json/index.ts';

type Json = Record<string, unknown>;

/**
 * The fields the plane reads from every event: a string `id` (the idempotency key) and, when
 * present, a `time` that is a timestamp-millis long. Returns what is wrong, empty when fine.
 * A route whose message group declares `envelope: CloudEvents/1.0` (`cloudEvents`) may leave `id`
 * out: the CloudEvent's `id` attribute (`ce-id`) supplies it; when the body has one it must
 * still be a string.
 */
function checkEnvelopeFields(definition: unknown, cloudEvents = false): string[] {
  if (!isObject(definition) || definition.type !== 'record' || !Array.isArray(definition.fields)) {
    return ['the schema must be an Avro record'];
  }
  const fields = definition.fields as unknown[];
  const field = (name: string): Json | undefined => fields.find((item): item is Json => isObject(item) && item.name === name);
  const problems: string[] = [];
  const id = field('id');
  if (id === undefined ? !cloudEvents : id.type !== 'string') {
    problems.push(
      cloudEvents
        ? 'field "id" must be of type string (the event id)'
        : 'the schema needs a field "id" of type string (the event id), or its message group envelope CloudEvents/1.0 (the id then comes from ce-id)',
    );
  }
  const time = field('time');
  if (time !== undefined) {
    const type = time.type;
    const ok = type === 'long' || (isObject(type) && type.type === 'long' && type.logicalType === 'timestamp-millis');
    if (!ok) problems.push('field "time" must be a long with logicalType timestamp-millis');
  }
  return problems;
}

export { checkEnvelopeFields };
