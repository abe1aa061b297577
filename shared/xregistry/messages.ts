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
  extensionAttributes,
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
import { matchSchemaXid, schemaXid } from '../names/index.ts';
import { parseSchemaXid } from './references.ts';
import * as store from './store.ts';
import { classifyMessage, type Routing, type RoutingFacts, routingObstacles, schemaReference } from './routability.ts';
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

/**
 * The rc4 message model (message/model.json), which has no `"*"`: anything else is unknown. The
 * base-message reference is `basemessageuri` in model.json, `basemessage` in spec.md and
 * `basemessageurl` in rc1/rc2; all three are kept as written. `ingestion` is this plane's
 * declared extension.
 */
const MESSAGE_STRING_ATTRIBUTES = [
  'basemessageuri',
  'basemessage',
  'basemessageurl',
  'envelope',
  'protocol',
  'dataschemaformat',
  'dataschemauri',
  'dataschemaxid',
  'datacontenttype',
  'documentation',
  'icon',
] as const;
const MESSAGE_OBJECT_ATTRIBUTES = ['envelopemetadata', 'envelopeoptions', 'protocoloptions', 'deprecated'] as const;
const MESSAGE_ATTRIBUTES = ['messageid', ...MESSAGE_STRING_ATTRIBUTES, ...MESSAGE_OBJECT_ATTRIBUTES, 'dataschema', 'ingestion', ...COMMON_ATTRIBUTES] as const;
const MESSAGE_GROUP_ATTRIBUTES = ['messagegroupid', 'envelope', 'protocol', 'messages', ...COMMON_ATTRIBUTES] as const;
/** The NATS protocol options of the rc4 message model; a route reads only `subject`. */
const PROTOCOL_OPTIONS = ['subject', 'reply', 'headers'] as const;

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

/**
 * The envelope a message speaks: its own `envelope` attribute, else its group's; a group a route is
 * about to create declares CloudEvents 1.0 (ensureMessageGroup).
 */
function effectiveEnvelope(attributes: Attributes, group: MessageGroupRow | undefined): string | null {
  if (typeof attributes.envelope === 'string') return attributes.envelope;
  return group === undefined ? CLOUDEVENTS_ENVELOPE : group.envelope;
}

/**
 * A group that stops declaring CloudEvents 1.0 must not leave a route whose schema has no `id`
 * (the id came from ce-id): every event on it would be dead-lettered missing_event_id. Messages
 * with an envelope of their own do not follow the group's.
 */
async function checkEnvelopeChange(db: Db, group: string, envelope: string | null, where: string): Promise<void> {
  if (isCloudEventsEnvelope(envelope)) return;
  for (const message of await store.listMessages(db, group)) {
    if (message.ingestion === null || typeof message.dataschemaxid !== 'string' || typeof message.attributes.envelope === 'string') continue;
    const reader = await resolveVersion(db, message.dataschemaxid);
    const problems = reader === undefined ? [] : checkEnvelopeFields(reader.document, false);
    if (problems.length > 0) {
      throw invalid(where, `envelope ${envelope ?? '(none)'}: message ${message.messageid} reads ${message.dataschemaxid}, whose ${problems.join('; ')}`);
    }
  }
}

/**
 * rc4 implicit creation of a parent: a message written into a group that does not exist yet
 * creates it; for a route with the envelope and protocol the plane speaks, else with its id only.
 */
async function ensureMessageGroup(db: Db, group: string, routed: boolean, mode: WriteMode): Promise<MessageGroupRow | undefined> {
  const groups = await store.listMessageGroups(db);
  const existing = groups.find((row) => row.messagegroupid === group);
  if (existing !== undefined) return existing;
  assertUniqueIgnoringCase(
    groups.map((row) => row.messagegroupid),
    group,
    `/messagegroups/${group}`,
  );
  await store.saveMessageGroup(db, {
    messagegroupid: group,
    envelope: routed ? CLOUDEVENTS_ENVELOPE : null,
    protocol: routed ? 'NATS' : null,
    attributes: {},
    ...nextCommon({}, undefined, mode, group),
  });
  return undefined;
}

/** The schema version an xid reads: the pinned version, or the schema's default; undefined when none. */
async function resolveVersion(db: Db, xid: string): Promise<{ format: string; document: unknown } | undefined> {
  const reference = matchSchemaXid(xid);
  if (reference === undefined) return undefined;
  const meta = (await store.listSchemaMetas(db, reference.group)).find((row) => row.schemaid === reference.schema);
  const versions = meta === undefined ? [] : await store.listVersions(db, reference.group, reference.schema);
  const wanted = reference.version ?? meta?.defaultversionid;
  const version = versions.find((row) => row.versionid === wanted);
  return version === undefined ? undefined : { format: version.format, document: version.document };
}

/** The types the rc4 message model gives its attributes (strings and objects), checked before storing. */
function checkMessageTypes(body: Attributes, where: string): void {
  for (const key of MESSAGE_STRING_ATTRIBUTES) {
    if (body[key] !== undefined && typeof body[key] !== 'string') throw invalid(where, `"${key}" must be a string`);
  }
  for (const key of MESSAGE_OBJECT_ATTRIBUTES) {
    if (body[key] !== undefined && !isObject(body[key])) throw invalid(where, `"${key}" must be an object`);
  }
  // message/spec.md: dataschema (inline) and dataschemauri are mutually exclusive.
  if (body.dataschema !== undefined && body.dataschemauri !== undefined) throw invalid(where, '"dataschema" and "dataschemauri" are mutually exclusive');
}

/**
 * The facts routing depends on (shared/xregistry/routability.ts) for a message's attributes in
 * a group: the effective protocol and the schema version its reference resolves to.
 */
async function routingFactsOf(
  db: Db,
  attributes: Attributes,
  group: MessageGroupRow | undefined,
): Promise<{ readonly facts: RoutingFacts; readonly document: unknown }> {
  const schema = schemaReference(attributes);
  const protocol = typeof attributes.protocol === 'string' ? attributes.protocol : (group?.protocol ?? undefined);
  const resolved = schema.kind === 'registry' ? await resolveVersion(db, schema.xid) : undefined;
  const version = resolved && { format: resolved.format, inline: resolved.document !== null && resolved.document !== undefined };
  return { facts: { protocol, schema, version }, document: resolved?.document };
}

/** Every message with whether the plane routes it, and why not when it does not (`ingest registry list`). */
async function classifyMessages(db: Db): Promise<{ message: MessageRow; routing: Routing }[]> {
  const groups = await store.listMessageGroups(db);
  const out: { message: MessageRow; routing: Routing }[] = [];
  for (const message of await store.listAllMessages(db)) {
    const group = groups.find((row) => row.messagegroupid === message.messagegroupid);
    const facts = await routingFactsOf(db, message.attributes, group).then(
      (found) => found.facts,
      // A hand-edited reference that no longer parses reads nothing.
      (): RoutingFacts => ({ protocol: undefined, schema: { kind: 'none' }, version: undefined }),
    );
    out.push({ message, routing: message.ingestion === null ? classifyMessage(facts, false) : { routed: true } });
  }
  return out;
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
  checkMessageTypes(body, where);
  // The message as written, minus what columns hold (id, common attributes) and read-only ones.
  const attributes = extensionAttributes(body, ['messageid', ...COMMON_ATTRIBUTES], READ_ONLY.message, where);
  const groupRow = (await store.listMessageGroups(db)).find((row) => row.messagegroupid === group);
  const { facts, document } = await routingFactsOf(db, attributes, groupRow);
  if (typeof attributes.dataschemaxid === 'string') {
    // rc4: dataschemaxid names an entity of this registry. (A relative dataschemauri may deep-link
    // into a document, e.g. `…/versions/1#Payload`, so only a route needs it to resolve.)
    parseSchemaXid(attributes.dataschemaxid);
    if (facts.version === undefined) throw invalid(where, `dataschemaxid ${attributes.dataschemaxid} does not exist`);
  }
  if (attributes.ingestion === undefined) {
    await ensureMessageGroup(db, group, false, mode);
    const row: MessageRow = {
      messagegroupid: group,
      messageid: message,
      ...nextCommon(body, existing, mode, where),
      protocol: null,
      protocoloptions: null,
      subject: null,
      dataschemaformat: null,
      dataschemaxid: null,
      ingestion: null,
      attributes,
    };
    await store.saveMessage(db, row);
    return { row, created: existing === undefined };
  }
  const obstacles = routingObstacles(facts);
  if (obstacles.length > 0) throw invalid(where, `"ingestion" asks the plane to route this message, which it cannot: ${obstacles.join('; ')}`);
  const xid = facts.schema.kind === 'registry' ? facts.schema.xid : '';
  const subject = readSubject(body.protocoloptions, options.filters, where);
  const envelopeProblems = checkEnvelopeFields(document, isCloudEventsEnvelope(effectiveEnvelope(attributes, groupRow)));
  if (envelopeProblems.length > 0) throw invalid(where, `${xid}: ${envelopeProblems.join('; ')}`);
  const readerFormat = facts.version!.format;
  const format = optionalString(body, 'dataschemaformat', where) ?? readerFormat;
  if (format.toLowerCase() !== readerFormat.toLowerCase())
    throw invalid(where, `dataschemaformat "${format}" differs from the schema's format "${readerFormat}"`);
  const ingestion = readIngestion(body.ingestion, options.filters, document, where);
  const holder = await store.messageBySubject(db, subject);
  if (holder !== undefined && (holder.messagegroupid !== group || holder.messageid !== message)) {
    throw invalid(where, `subject ${subject} is already routed by /messagegroups/${holder.messagegroupid}/messages/${holder.messageid}`);
  }
  await ensureMessageGroup(db, group, true, mode);
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
    attributes,
  };
  // Only a table needs creating; an HTTP endpoint or a NATS stream is the operator's to provide.
  for (const sink of ingestion.sinks ?? [ingestion.sink]) {
    if (sink.kind === 'postgres') await provision(db, options.provisionSink, { ...sink, schema: document }, where);
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
  return { ...row.attributes, name: row.name ?? undefined, description: row.description ?? undefined, labels: row.labels };
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
  // The message group model has "*": attributes it does not name are kept as extensions.
  const body = groupBody(raw, stored, options, mode, where, {
    allowed: MESSAGE_GROUP_ATTRIBUTES,
    readOnly: READ_ONLY.messagegroup,
    idName: 'messagegroupid',
    id: group,
    extensible: true,
  });
  const envelope = optionalString(body, 'envelope', where);
  // Any protocol (AMQP/1.0, MQTT/5.0, KAFKA, HTTP, NATS, ...): only a route must be NATS.
  const protocol = optionalString(body, 'protocol', where);
  const attributes = extensionAttributes(body, MESSAGE_GROUP_ATTRIBUTES, READ_ONLY.messagegroup, where);
  if (existing !== undefined) await checkEnvelopeChange(db, group, envelope, where);
  const row: MessageGroupRow = { messagegroupid: group, ...nextCommon(body, existing, mode, where), envelope, protocol, attributes };
  await store.saveMessageGroup(db, row);
  return { row, created: existing === undefined };
}

export { classifyMessages, messageAttributes, putMessage, putMessageGroup, schemaXid };
export type { ProvisionSink, StreamFilters };
