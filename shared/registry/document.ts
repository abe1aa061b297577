import { compileSchema } from '../avro/index.ts';
import { isPublishSubject } from '../nats/subjects.ts';
import { RegistryDocumentError } from './errors.ts';
import { isTableName } from './identifiers.ts';
import { isVersion } from './routeKey.ts';
import { type InvalidSink, SinkKind, type RouteRecord, type SinkTarget } from './types.ts';

/** A route as it is written in a registry document (see infra/registry/*.registry.json). */
type RouteDocument = {
  type: string;
  version: string;
  transport: { kind: 'nats'; subject: string };
  schema: { format: string; definition: unknown };
  ingestion: { sink: string; table?: string; deadletter_subject: string };
};

type RegistryDocument = { routes: RouteDocument[] };

const AVRO_FORMAT = /^avro(\/[0-9]+(\.[0-9]+){0,2})?$/i;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The fields the plane reads from every event: a string `id`, and optionally `time`. */
function checkEnvelopeFields(definition: unknown, where: string, problems: string[]): void {
  const fields = isObject(definition) && Array.isArray(definition.fields) ? (definition.fields as unknown[]) : [];
  if (!isObject(definition) || definition.type !== 'record') {
    problems.push(`${where}: schema must be an Avro record`);
    return;
  }
  const field = (name: string): Json | undefined =>
    fields.find((item): item is Json => isObject(item) && item.name === name);
  const id = field('id');
  if (id?.type !== 'string') problems.push(`${where}: schema needs a field "id" of type string (the event id)`);
  const time = field('time');
  if (time !== undefined) {
    const type = time.type;
    const ok = type === 'long' || (isObject(type) && type.type === 'long' && type.logicalType === 'timestamp-millis');
    if (!ok) problems.push(`${where}: field "time" must be a long with logicalType timestamp-millis`);
  }
}

function parseSink(ingestion: Json, where: string, problems: string[]): SinkTarget | undefined {
  const sink = text(ingestion.sink);
  if (sink === SinkKind.postgres) {
    const table = text(ingestion.table);
    if (table === undefined || !isTableName(table)) {
      problems.push(`${where}: ingestion.table "${String(ingestion.table)}" must be [schema.]table in lower case (a-z, 0-9, _)`);
      return undefined;
    }
    return { kind: SinkKind.postgres, table };
  }
  problems.push(`${where}: unknown sink "${String(ingestion.sink)}" (known: ${Object.values(SinkKind).join(', ')})`);
  return undefined;
}

function parseRoute(raw: unknown, index: number, problems: string[]): RouteRecord | undefined {
  const where = `routes[${index}]`;
  if (!isObject(raw)) {
    problems.push(`${where}: must be an object`);
    return undefined;
  }
  const before = problems.length;
  const type = text(raw.type);
  const version = text(raw.version);
  const subject = isObject(raw.transport) ? text(raw.transport.subject) : undefined;
  if (type === undefined || !isPublishSubject(type)) problems.push(`${where}: type must be dot-separated NATS tokens`);
  if (version === undefined || !isVersion(version)) problems.push(`${where}: version must look like v1`);
  if (!isObject(raw.transport) || raw.transport.kind !== 'nats') problems.push(`${where}: transport.kind must be "nats"`);
  if (subject !== undefined && type !== undefined && subject !== `${type}.${version}`) {
    problems.push(`${where}: transport.subject "${subject}" must be "${type}.${version}" (the route key is read from the subject)`);
  }
  const schema = isObject(raw.schema) ? raw.schema : {};
  const format = text(schema.format);
  if (format === undefined || !AVRO_FORMAT.test(format)) problems.push(`${where}: schema.format must be Avro/<release>, e.g. Avro/1.12`);
  try {
    compileSchema(schema.definition);
    checkEnvelopeFields(schema.definition, where, problems);
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
  const ingestion = isObject(raw.ingestion) ? raw.ingestion : {};
  const sink = parseSink(ingestion, where, problems);
  const deadLetterSubject = text(ingestion.deadletter_subject);
  if (deadLetterSubject === undefined || !isPublishSubject(deadLetterSubject)) {
    problems.push(`${where}: ingestion.deadletter_subject must be a NATS subject without wildcards`);
  }
  if (problems.length > before || !type || !version || !sink || !format || !deadLetterSubject) return undefined;
  return {
    key: { type, version },
    subject: `${type}.${version}`,
    schema: { format, definition: schema.definition },
    sink,
    deadLetterSubject,
    epoch: 0,
  };
}

/** Re-checks a sink read back from the database; a bad one is kept as InvalidSink, never trusted. */
function parseStoredSink(stored: unknown): SinkTarget | InvalidSink {
  const problems: string[] = [];
  const sink = isObject(stored) ? parseSink({ sink: stored.kind, table: stored.table }, 'stored sink', problems) : undefined;
  return sink ?? { kind: 'invalid', problem: problems.join('; ') || 'stored sink is not an object' };
}

/** Validates a whole document; every problem is reported at once and nothing is half-accepted. */
function parseRegistryDocument(input: unknown): RouteRecord[] {
  const problems: string[] = [];
  if (!isObject(input) || !Array.isArray(input.routes)) throw new RegistryDocumentError(['document must be {"routes": [...]}']);
  const routes = input.routes.map((raw, index) => parseRoute(raw, index, problems));
  const seen = new Set<string>();
  for (const route of routes) {
    if (!route) continue;
    if (seen.has(route.subject)) problems.push(`route ${route.subject} appears more than once`);
    seen.add(route.subject);
  }
  if (problems.length > 0) throw new RegistryDocumentError(problems);
  return routes.filter((route): route is RouteRecord => route !== undefined);
}

function toRouteDocument(route: RouteRecord): RouteDocument {
  if (route.sink.kind === 'invalid') throw new RegistryDocumentError([`${route.subject}: ${route.sink.problem}`]);
  return {
    type: route.key.type,
    version: route.key.version,
    transport: { kind: 'nats', subject: route.subject },
    schema: { format: route.schema.format, definition: route.schema.definition },
    ingestion: { sink: route.sink.kind, table: route.sink.table, deadletter_subject: route.deadLetterSubject },
  };
}

export { parseRegistryDocument, parseStoredSink, toRouteDocument };
export type { RegistryDocument, RouteDocument };
