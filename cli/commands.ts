import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { migrateRegistry } from '../shared/xregistry/index.ts';
import { sampleEvent } from '../shared/producer/index.ts';
import { encodeAvro, fingerprintFromHex, frame, SchemaCache, type WireFormat } from '../shared/avro/index.ts';
import type { CliConfig } from '../shared/config/index.ts';
import { connectNats, ensureTopology } from '../shared/nats/index.ts';
import { createProducer, encodeEvent } from '../shared/producer/index.ts';
import { createSql, type Sql } from '../shared/postgres/index.ts';
import { findRouteBySubject, type RouteRecord } from '../shared/routes/index.ts';
import { routeKeyFromSubject } from '../shared/names/index.ts';
import { CLOUDEVENTS_ENVELOPE, type CloudEventsMode, isCloudEventsEnvelope } from '../shared/cloudevents/index.ts';
import { BROKEN, type Broken } from './brokenKinds.ts';
import { UsageError } from './exitCodes.ts';
import { MIGRATIONS_DIR } from './paths.ts';

type Print = (line: string) => void;

async function withSql<T>(config: CliConfig, work: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = createSql(config.databaseUrl, { max: 2, applicationName: 'ingest-cli' });
  try {
    // Cheap when up to date, and it spares every command a "relation does not exist" on a new database.
    await migrateRegistry(sql, MIGRATIONS_DIR);
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function runMigrate(config: CliConfig, print: Print): Promise<void> {
  const sql = createSql(config.databaseUrl, { max: 1, applicationName: 'ingest-cli' });
  try {
    const applied = await migrateRegistry(sql, MIGRATIONS_DIR);
    print(applied.length === 0 ? 'migrations: up to date' : `migrations applied: ${applied.join(', ')}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function runNatsSetup(config: CliConfig, settings: { ackWaitMs: number; maxDeliver: number; maxAckPending: number }, print: Print): Promise<void> {
  const nc = await connectNats(config.nats.url, 'ingest-cli', config.nats.security);
  try {
    await ensureTopology(await jetstreamManager(nc), config.nats, settings);
    print(
      `streams ${config.nats.ingest.name} (${config.nats.ingest.subjects.join(', ')}) and ${config.nats.deadLetter.name} (${config.nats.deadLetter.subjects.join(', ')}) ready; consumer ${config.nats.consumer}`,
    );
  } finally {
    await nc.drain();
  }
}

/**
 * The writer identity of an `unknown-schema-id` frame: a number (schema-id, confluent) or a
 * CRC-64 fingerprint (single-object) that no version of the route's schema has.
 */
function unknownWriter(route: RouteRecord, index: number): { schemaId: number; fingerprint: bigint } {
  const fingerprint = fingerprintFromHex(route.schema.fingerprint) ^ BigInt(index + 1);
  return { schemaId: 999_999 + index, fingerprint };
}

type PublishOptions = { subject: string; count: number; broken: Broken | undefined; cloudEvents?: CloudEventsMode | undefined };

async function runPublish(config: CliConfig, options: PublishOptions, print: Print): Promise<void> {
  const key = routeKeyFromSubject(options.subject, 'bridge');
  const route = await withSql(config, (sql) => findRouteBySubject(sql, options.subject));
  if (route === undefined) throw new Error(`no route registered for ${options.subject}; load one with: ingest registry import <file>`);
  // A raw payload is the bare Avro body: there is no schema id to get wrong, and a frame on it
  // would only fail to decode (avro_decode_failed), not what --broken unknown-schema-id promises.
  if (options.broken === 'unknown-schema-id' && route.wireFormat === 'raw') {
    throw new UsageError(
      `--broken unknown-schema-id needs a framed wire format (schema-id, confluent or single-object); ${route.subject} uses "raw", whose payload carries no schema id. On this route use ${BROKEN.filter((kind) => kind !== 'unknown-schema-id').join(', ')}`,
    );
  }
  if (options.cloudEvents !== undefined && !isCloudEventsEnvelope(route.envelope)) {
    throw new UsageError(
      `--cloudevents needs a route whose message group declares envelope ${CLOUDEVENTS_ENVELOPE}; the group of ${route.subject} declares ${route.envelope === undefined ? 'none' : `"${route.envelope}"`}, so the plane would not read the CloudEvent`,
    );
  }
  const nc = await connectNats(config.nats.url, 'ingest-cli', config.nats.security);
  const schemas = new SchemaCache();
  try {
    const producer = createProducer(jetstream(nc));
    for (let i = 0; i < options.count; i++) {
      const event = sampleEvent(route);
      const type = schemas.get(route.schema.cacheKey, route.schema.definition);
      const bytes = encodeEvent(route, event, type);
      switch (options.broken) {
        case undefined:
          if (options.cloudEvents !== undefined) {
            // sampleEvent always has an id; a schema without source or time gets them as attributes only.
            const attributes = {
              id: event.id,
              ...(typeof event.source === 'string' ? {} : { source: 'ingest-cli' }),
              ...(event.time instanceof Date ? {} : { time: new Date().toISOString() }),
            };
            await producer.publishCloudEvent(route, event, { mode: options.cloudEvents, attributes });
            break;
          }
          // The bytes producer.publish would send, already encoded above.
          await producer.publishRaw(route.subject, bytes, event.id);
          break;
        case 'random-bytes':
          await producer.publishRaw(route.subject, crypto.getRandomValues(new Uint8Array(16 + (i % 64))), event.id);
          break;
        case 'truncated':
          await producer.publishRaw(route.subject, bytes.subarray(0, Math.floor(bytes.length / 2)), event.id);
          break;
        case 'unknown-route':
          await producer.publishRaw(`${key.type}.v999`, bytes, event.id);
          break;
        case 'bad-subject':
          await producer.publishRaw(key.type, bytes, event.id);
          break;
        case 'unknown-schema-id':
          // A frame in the route's own wire format naming a version the registry never issued.
          await producer.publishRaw(route.subject, frame(route.wireFormat as WireFormat, encodeAvro(type, event), unknownWriter(route, i)), event.id);
          break;
      }
    }
    const as = options.cloudEvents === undefined ? '' : ` as ${options.cloudEvents}-mode CloudEvents`;
    print(`published ${options.count} ${options.broken ?? 'valid'} event(s)${as} for ${route.subject}`);
  } finally {
    await nc.drain();
  }
}

export { runMigrate, runNatsSetup, runPublish, withSql };
export type { Print };
