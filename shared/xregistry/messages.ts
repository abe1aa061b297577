import { WIRE_FORMATS } from '../avro/index.ts';
import { isPublishSubject, subjectMatches } from '../names/index.ts';
import type { HttpSinkPolicy } from '../config/index.ts';
import { isVersion } from '../names/index.ts';
import type { PostgresSinkTarget, SinkTarget } from '../sinks/index.ts';
import { PostgresTableRefusedError } from '../sinks/index.ts';
import { MAX_ROUTE_SINKS, parseSinkTarget, SINK_KINDS, sinkIdentity, sinkTargetAttributes } from '../sinks/index.ts';
import {
  checkEpoch,
  checkId,
  COMMON_ATTRIBUTES,
  mergePatch,
  nextCommon,
  optionalString,
  READ_ONLY,
  rejectUnknown,
  requireObject,
  type WriteMode,
} from './attributes.ts';
import { isObject } from '../json/index.ts';
import { CLOUDEVENTS_ENVELOPE, isCloudEventsEnvelope } from '../cloudevents/index.ts';
import { checkEnvelopeFields } from './envelope.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import { commonAttributes, groupBody } from './groups.ts';
import { assertId, assertUniqueIgnoringCase, findSibling } from './ids.ts';
import { schemaXid } from '../names/index.ts';
import { parseSchemaXid } from './references.ts';
import * as store from './store.ts';
import type { Attributes, Ingestion, MessageGroupRow, MessageRow } from './types.ts';

type Db = store.Db;

/** What this deployment's streams capture; routes must fall inside them. */
type StreamFilters = {
  readonly ingest: readonly string[];
  readonly deadLetter: readonly string[];
  /**
   * Where HTTP sinks may point (HTTP_SINK_ALLOWED_HOSTS, loadHttpSinkPolicy). Unset: a route with
   * an HTTP sink is refused, so a registry that was not given the policy cannot store an unchecked URL.
   */
  readonly httpSinks?: HttpSinkPolicy;
};

/**
 * Creates what a sink needs (for PostgreSQL, the table) when a message definition names it. Gets
 * the route's reader schema too: a table with mapped columns takes its column types from it.
 */
type ProvisionSink = (db: Db, sink: PostgresSinkTarget & { readonly schema: unknown }) => Promise<void>;

const MESSAGE_ATTRIBUTES = ['messageid', 'protocol', 'protocoloptions', 'dataschemaformat', 'dataschemaxid', 'ingestion', ...COMMON_ATTRIBUTES] as const;
const MESSAGE_GROUP_ATTRIBUTES = ['messagegroupid', 'envelope', 'protocol', 'messages', ...COMMON_ATTRIBUTES] as const;
/** The NATS protocol options the model declares (GET /model). */
const PROTOCOL_OPTIONS = ['subject'] as const;

function invalid(where: string, message: string): XRegistryError {
  return new XRegistryError(XRegistryErrorType.invalidData, `${where}: ${message}`);
}

/** The ingestion attribute with its sinks checked, each as one of the known target kinds. */
type CheckedIngestion = Omit<Ingestion, 'sink' | 'sinks'> &
  ({ readonly sink: SinkTarget; readonly sinks?: undefined } | { readonly sink?: undefined; readonly sinks: readonly SinkTarget[] });

/**
 * The sink's rules live with the sinks (shared/sinks/targets.ts), so the registry and the
 * read-back in shared/registry apply the same ones; here they also get what is known only when
 * storing: the streams, the HTTP policy and the route's reader schema.
 */
function readSink(sink: unknown, filters: StreamFilters, schema: unknown, where: string, attribute = 'ingestion.sink'): SinkTarget {
  const attributes = isObject(sink) ? sinkTargetAttributes(sink.kind) : undefined;
  if (!isObject(sink) || attributes === undefined) throw invalid(where, `${attribute}.kind must be one of ${SINK_KINDS.map((kind) => `"${kind}"`).join(', ')}`);
  rejectUnknown(sink, attributes, `${where} ${attribute}`);
  const parsed = parseSinkTarget(sink, { streams: { ingest: filters.ingest, deadLetter: filters.deadLetter }, http: filters.httpSinks, schema });
  if (!parsed.ok) throw invalid(where, `${attribute}: ${parsed.problem}`);
  return parsed.target;
}

/**
 * A fan-out route: every valid event goes to each sink, and delivery is tracked per sink, so a
 * retry re-drives only those that failed. Two entries writing to the same place would make that
 * tracking ambiguous, so they are refused.
 */
function readSinks(sinks: unknown, filters: StreamFilters, schema: unknown, where: string): SinkTarget[] {
  if (!Array.isArray(sinks) || sinks.length < 1 || sinks.length > MAX_ROUTE_SINKS) {
    throw invalid(where, `ingestion.sinks must be a list of 1 to ${MAX_ROUTE_SINKS} sinks`);
  }
  const targets = sinks.map((sink: unknown, index) => readSink(sink, filters, schema, where, `ingestion.sinks[${index}]`));
  const seen = new Set<string>();
  for (const target of targets) {
    const identity = sinkIdentity(target);
    if (seen.has(identity)) throw invalid(where, `ingestion.sinks names ${identity} twice`);
    seen.add(identity);
  }
  return targets;
}

function readIngestion(value: unknown, filters: StreamFilters, schema: unknown, where: string): CheckedIngestion {
  if (!isObject(value)) throw invalid(where, '"ingestion" is required: {"sink": {...}, "deadlettersubject": "..."}');
  rejectUnknown(value, ['sink', 'sinks', 'deadlettersubject', 'retrybudget', 'wireformat'], `${where} ingestion`);
  if ((value.sink === undefined) === (value.sinks === undefined)) {
    throw invalid(where, 'ingestion needs exactly one of "sink" (one target) or "sinks" (a list, for fan-out)');
  }
  const sinks = value.sinks === undefined ? { sink: readSink(value.sink, filters, schema, where) } : { sinks: readSinks(value.sinks, filters, schema, where) };
  const deadLetter = value.deadlettersubject;
  if (typeof deadLetter !== 'string' || !isPublishSubject(deadLetter))
    throw invalid(where, 'ingestion.deadlettersubject must be a NATS subject without wildcards');
  if (!filters.deadLetter.some((filter) => subjectMatches(filter, deadLetter))) {
    throw invalid(where, `ingestion.deadlettersubject ${deadLetter} is not captured by the dead-letter stream (${filters.deadLetter.join(', ')})`);
  }
  const budget = value.retrybudget;
  if (budget !== undefined && (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1 || budget > 100)) {
    throw invalid(where, 'ingestion.retrybudget must be an integer from 1 to 100');
  }
  const wire = value.wireformat ?? 'raw';
  if (typeof wire !== 'string' || !(WIRE_FORMATS as readonly string[]).includes(wire)) {
    throw invalid(where, `ingestion.wireformat must be one of ${WIRE_FORMATS.join(', ')}`);
  }
  return {
    ...sinks,
    deadlettersubject: deadLetter,
    ...(budget === undefined ? {} : { retrybudget: budget }),
    wireformat: wire,
  };
}

function readSubject(value: unknown, filters: StreamFilters, where: string): string {
  if (isObject(value)) rejectUnknown(value, PROTOCOL_OPTIONS, `${where} protocoloptions`);
  const subject = isObject(value) ? value.subject : undefined;
  if (typeof subject !== 'string' || !isPublishSubject(subject)) throw invalid(where, 'protocoloptions.subject must be a NATS subject without wildcards');
  const tokens = subject.split('.');
  if (tokens.length < 2 || !isVersion(tokens.at(-1)!))
    throw invalid(where, `protocoloptions.subject "${subject}" must be <type>.<version>, e.g. metrics.cpu.usage.v1`);
  if (!filters.ingest.some((filter) => subjectMatches(filter, subject))) {
    throw invalid(where, `protocoloptions.subject ${subject} is not captured by the ingest stream (${filters.ingest.join(', ')})`);
  }
  return subject;
}

/** Whether a message group declares CloudEvents 1.0; a group a message definition is about to create does (ensureMessageGroup). */
async function groupIsCloudEvents(db: Db, group: string): Promise<boolean> {
  const row = (await store.listMessageGroups(db)).find((candidate) => candidate.messagegroupid === group);
  return row === undefined || isCloudEventsEnvelope(row.envelope);
}

/**
 * A group that stops declaring CloudEvents 1.0 must not leave a route whose schema has no `id`
 * (the id came from ce-id): every event on it would be dead-lettered missing_event_id.
 */
async function checkEnvelopeChange(db: Db, group: string, envelope: string | null, where: string): Promise<void> {
  if (isCloudEventsEnvelope(envelope)) return;
  for (const message of await store.listMessages(db, group)) {
    const reader = await readerDocument(db, message.dataschemaxid, where).catch(() => undefined);
    const problems = reader === undefined ? [] : checkEnvelopeFields(reader.document, false);
    if (problems.length > 0) {
      throw invalid(where, `envelope ${envelope ?? '(none)'}: message ${message.messageid} reads ${message.dataschemaxid}, whose ${problems.join('; ')}`);
    }
  }
}

async function ensureMessageGroup(db: Db, group: string, mode: WriteMode): Promise<void> {
  const ids = (await store.listMessageGroups(db)).map((row) => row.messagegroupid);
  if (!ids.includes(group)) {
    assertUniqueIgnoringCase(ids, group, `/messagegroups/${group}`);
    await store.saveMessageGroup(db, { messagegroupid: group, envelope: CLOUDEVENTS_ENVELOPE, protocol: 'NATS', ...nextCommon({}, undefined, mode, group) });
  }
}

/** The schema version a message reads with: the pinned version, or the schema's default. */
async function readerDocument(db: Db, xid: string, where: string): Promise<{ format: string; document: unknown }> {
  const reference = parseSchemaXid(xid);
  const meta = (await store.listSchemaMetas(db, reference.group)).find((row) => row.schemaid === reference.schema);
  const versions = meta === undefined ? [] : await store.listVersions(db, reference.group, reference.schema);
  const wanted = reference.version ?? meta?.defaultversionid;
  const version = versions.find((row) => row.versionid === wanted);
  if (version === undefined) throw invalid(where, `dataschemaxid ${xid} does not exist`);
  return { format: version.format, document: version.document };
}

async function putMessage(
  db: Db,
  group: string,
  message: string,
  raw: unknown,
  options: { patch: boolean; filters: StreamFilters; provisionSink: ProvisionSink },
  mode: WriteMode,
): Promise<{ row: MessageRow; created: boolean }> {
  assertId(group, 'messagegroupid');
  assertId(message, 'messageid');
  const where = `/messagegroups/${group}/messages/${message}`;
  const existing = findSibling(await store.listMessages(db, group), (row) => row.messageid, message, where);
  let body = requireObject(raw, where);
  if (options.patch) {
    if (existing === undefined) throw new XRegistryError(XRegistryErrorType.notFound, `${where} not found`, { subject: where });
    body = mergePatch(messageAttributes(existing), body);
  }
  rejectUnknown(body, MESSAGE_ATTRIBUTES, where, READ_ONLY.message);
  checkId(body, 'messageid', message, where);
  // A restore carries the epochs to keep; they are not preconditions.
  if (!mode.restore) checkEpoch(requireObject(raw, where), existing?.epoch, where);
  const protocol = body.protocol ?? 'NATS';
  if (protocol !== 'NATS') throw invalid(where, 'protocol must be "NATS"');
  const subject = readSubject(body.protocoloptions, options.filters, where);
  const xid = body.dataschemaxid;
  if (typeof xid !== 'string') throw invalid(where, 'dataschemaxid is required (e.g. /schemagroups/metrics/schemas/cpu-usage)');
  const reader = await readerDocument(db, xid, where);
  const envelopeProblems = checkEnvelopeFields(reader.document, await groupIsCloudEvents(db, group));
  if (envelopeProblems.length > 0) throw invalid(where, `${xid}: ${envelopeProblems.join('; ')}`);
  const format = optionalString(body, 'dataschemaformat', where) ?? reader.format;
  if (format.toLowerCase() !== reader.format.toLowerCase())
    throw invalid(where, `dataschemaformat "${format}" differs from the schema's format "${reader.format}"`);
  const ingestion = readIngestion(body.ingestion, options.filters, reader.document, where);
  const holder = await store.messageBySubject(db, subject);
  if (holder !== undefined && (holder.messagegroupid !== group || holder.messageid !== message)) {
    throw invalid(where, `subject ${subject} is already routed by /messagegroups/${holder.messagegroupid}/messages/${holder.messageid}`);
  }
  await ensureMessageGroup(db, group, mode);
  const row: MessageRow = {
    messagegroupid: group,
    messageid: message,
    ...nextCommon(body, existing, mode, where),
    protocol: 'NATS',
    protocoloptions: { subject },
    subject,
    dataschemaformat: format,
    dataschemaxid: xid,
    ingestion,
  };
  // Only a table needs creating; an HTTP endpoint or a NATS stream is the operator's to provide.
  for (const sink of ingestion.sinks ?? [ingestion.sink]) {
    if (sink.kind === 'postgres') await provision(db, options.provisionSink, { ...sink, schema: reader.document }, where);
  }
  await store.saveMessage(db, row);
  return { row, created: existing === undefined };
}

/** A table the database or the plane's rules refuse is the client's mistake: 400 naming it and why. */
async function provision(db: Db, provisionSink: ProvisionSink, sink: PostgresSinkTarget & { readonly schema: unknown }, where: string): Promise<void> {
  try {
    await provisionSink(db, sink);
  } catch (error) {
    if (error instanceof PostgresTableRefusedError)
      throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: ingestion.sink ${error.message}`, { cause: error, subject: where });
    throw error;
  }
}

/** The writable attributes of a stored message, the base a PATCH merges onto. */
function messageAttributes(row: MessageRow): Attributes {
  return {
    name: row.name ?? undefined,
    description: row.description ?? undefined,
    labels: row.labels,
    protocol: row.protocol,
    protocoloptions: row.protocoloptions,
    dataschemaformat: row.dataschemaformat,
    dataschemaxid: row.dataschemaxid,
    ingestion: row.ingestion,
  };
}

async function putMessageGroup(
  db: Db,
  group: string,
  raw: unknown,
  options: { patch: boolean },
  mode: WriteMode,
): Promise<{ row: MessageGroupRow; created: boolean }> {
  assertId(group, 'messagegroupid');
  const where = `/messagegroups/${group}`;
  const existing = findSibling(await store.listMessageGroups(db), (row) => row.messagegroupid, group, where);
  const stored = existing && {
    epoch: existing.epoch,
    attributes: { ...commonAttributes(existing), envelope: existing.envelope ?? undefined, protocol: existing.protocol ?? undefined },
  };
  const body = groupBody(raw, stored, options, mode, where, {
    allowed: MESSAGE_GROUP_ATTRIBUTES,
    readOnly: READ_ONLY.messagegroup,
    idName: 'messagegroupid',
    id: group,
  });
  const envelope = optionalString(body, 'envelope', where);
  const protocol = optionalString(body, 'protocol', where);
  if (protocol !== null && protocol !== 'NATS') throw invalid(where, 'protocol must be "NATS"');
  if (existing !== undefined) await checkEnvelopeChange(db, group, envelope, where);
  const row: MessageGroupRow = { messagegroupid: group, ...nextCommon(body, existing, mode, where), envelope, protocol };
  await store.saveMessageGroup(db, row);
  return { row, created: existing === undefined };
}

export { messageAttributes, putMessage, putMessageGroup, schemaXid };
export type { ProvisionSink, StreamFilters };
