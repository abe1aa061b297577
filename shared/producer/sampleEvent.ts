import { randomUUID } from 'node:crypto';
import { SchemaCache } from '../avro/index.ts';
import type { EventValue } from './producer.ts';
import type { RouteRecord } from '../routes/index.ts';

const schemas = new SchemaCache();

/**
 * A schema-valid event for a route: random values from the schema, with the envelope fields
 * (`id`, `type`, `version`, `source`, `time`) set to realistic values.
 */
function sampleEvent(route: RouteRecord, overrides: Partial<Record<string, unknown>> = {}): EventValue {
  const type = schemas.get(route.schema.cacheKey, route.schema.definition);
  const value = type.random() as unknown as Record<string, unknown>;
  const fields = new Set(((route.schema.definition as { fields?: { name: string }[] }).fields ?? []).map((field) => field.name));
  const envelope: Record<string, unknown> = {
    id: randomUUID(),
    type: route.key.type,
    version: route.key.version,
    source: 'ingest-cli',
    time: new Date(),
  };
  for (const [key, item] of Object.entries(envelope)) if (fields.has(key)) value[key] = item;
  // A schema without an id (a CloudEvents route, where ce-id carries it) still gets one, for the attributes and Nats-Msg-Id.
  return { ...value, ...overrides, id: String(overrides.id ?? value.id ?? envelope.id) };
}

export { sampleEvent };
