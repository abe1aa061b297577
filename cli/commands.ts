import { readFile } from 'node:fs/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { migrateRegistry, sampleEvent } from '../shared/admin/index.ts';
import { encodeAvro, frame, SchemaCache } from '../shared/avro/index.ts';
import type { CliConfig } from '../shared/config/index.ts';
import { connectNats, createProducer, encodeEvent, ensureTopology } from '../shared/nats/index.ts';
import { createSql, type Sql } from '../shared/postgres/index.ts';
import { findRouteBySubject, routeKeyFromSubject } from '../shared/registry/index.ts';
import { MIGRATIONS_DIR } from './paths.ts';

type Print = (line: string) => void;

/** Ways `ingest publish --broken` spoils an event, each ending as a dead letter with its own reason. */
const BROKEN = ['random-bytes', 'truncated', 'unknown-route', 'bad-subject', 'unknown-schema-id'] as const;
type Broken = (typeof BROKEN)[number];

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
    print(`streams ${config.nats.ingest.name} (${config.nats.ingest.subjects.join(', ')}) and ${config.nats.deadLetter.name} (${config.nats.deadLetter.subjects.join(', ')}) ready; consumer ${config.nats.consumer}`);
  } finally {
    await nc.drain();
  }
}

function isBroken(value: string): value is Broken {
  return (BROKEN as readonly string[]).includes(value);
}

async function runPublish(
  config: CliConfig,
  options: { subject: string; count: number; broken: string | undefined },
  print: Print,
): Promise<void> {
  if (options.broken !== undefined && !isBroken(options.broken)) {
    throw new Error(`--broken must be one of ${BROKEN.join(', ')}`);
  }
  const key = routeKeyFromSubject(options.subject, 'bridge');
  const route = await withSql(config, (sql) => findRouteBySubject(sql, options.subject));
  if (route === undefined) throw new Error(`no route registered for ${options.subject}; load one with: ingest registry load <file>`);
  const nc = await connectNats(config.nats.url, 'ingest-cli', config.nats.security);
  const schemas = new SchemaCache();
  try {
    const producer = createProducer(jetstream(nc));
    for (let i = 0; i < options.count; i++) {
      const event = sampleEvent(route);
      const type = schemas.get(route.schema.cacheKey, route.schema.definition);
      const bytes = encodeEvent(route, event, type);
      switch (options.broken as Broken | undefined) {
        case undefined:
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
          // A schema-id frame naming a version the registry never issued.
          await producer.publishRaw(route.subject, frame('schema-id', encodeAvro(type, event), { schemaId: 999_999 + i }), event.id);
          break;
      }
    }
    print(`published ${options.count} ${options.broken ?? 'valid'} event(s) for ${route.subject}`);
  } finally {
    await nc.drain();
  }
}

export { runMigrate, runNatsSetup, runPublish, withSql, BROKEN };
export type { Print };
