import { matchSchemaXid, type RouteKey, routeKeyFromSubject } from '../names/index.ts';
import type { Sql } from '../postgres/index.ts';
import { ingestionSinkEntries, parseSinkTarget, type InvalidSink, type SinkTarget } from '../sinks/index.ts';
import type { RouteRecord, SchemaVersionRef } from './types.ts';

type VersionRow = {
  schemagroupid: string;
  schemaid: string;
  versionid: string;
  numericid: number;
  epoch: number;
  format: string;
  document: unknown;
  fingerprint: string;
};

type MessageRow = {
  messagegroupid: string;
  messageid: string;
  subject: string;
  dataschemaxid: string;
  ingestion: { sink?: unknown; sinks?: unknown; deadlettersubject?: unknown; retrybudget?: unknown; wireformat?: unknown };
  epoch: number;
  /** The message's own envelope, else its group's. */
  envelope: string | null;
};

function toVersionRef(row: VersionRow): SchemaVersionRef {
  const schemaXid = `/schemagroups/${row.schemagroupid}/schemas/${row.schemaid}`;
  const xid = `${schemaXid}/versions/${row.versionid}`;
  return {
    xid,
    schemaXid,
    format: row.format,
    definition: row.document,
    numericId: row.numericid,
    fingerprint: row.fingerprint,
    cacheKey: `${row.numericid}@${row.epoch}`,
  };
}

/**
 * Re-checks a sink read back from the database with the same rules as when it was stored (its
 * shape: table and column identifiers, URL, subject); a bad one is kept as InvalidSink, never
 * trusted. The deployment's rules (allow-list, addresses, stream loops) are checked again by the
 * sinks themselves before they write.
 */
function parseStoredSink(stored: unknown): SinkTarget | InvalidSink {
  const parsed = parseSinkTarget(stored);
  return parsed.ok ? parsed.target : { kind: 'invalid', problem: parsed.problem };
}

function readStoredSinks(ingestion: unknown): (SinkTarget | InvalidSink)[] {
  const entries = ingestionSinkEntries(ingestion);
  if (entries.length === 0) return [{ kind: 'invalid', problem: 'ingestion names no sink' }];
  return entries.map(parseStoredSink);
}

async function readerVersion(sql: Sql, dataschemaxid: string): Promise<VersionRow | undefined> {
  const reference = matchSchemaXid(dataschemaxid);
  // The registry API refuses a malformed reference, so only a row edited by hand in SQL has one:
  // like a deleted schema, it leaves the message without a reader.
  if (reference === undefined) return undefined;
  const [row]: [VersionRow?] = await sql`
    select v.schemagroupid, v.schemaid, v.versionid, v.numericid, v.epoch::int, v.format, v.document, v.fingerprint
    from xr_schema_versions v
    join xr_schemas s using (schemagroupid, schemaid)
    where v.schemagroupid = ${reference.group} and v.schemaid = ${reference.schema}
      and v.versionid = coalesce(${reference.version ?? null}::text, s.defaultversionid)`;
  return row;
}

/** The route a message definition describes, or undefined when its schema is gone. */
async function routeOf(sql: Sql, message: MessageRow, key: RouteKey): Promise<RouteRecord | undefined> {
  const version = await readerVersion(sql, message.dataschemaxid);
  // A message whose schema was deleted cannot validate anything: treat it as no route.
  if (version === undefined) return undefined;
  const ingestion = message.ingestion;
  return {
    key,
    subject: message.subject,
    messageXid: `/messagegroups/${message.messagegroupid}/messages/${message.messageid}`,
    schema: toVersionRef(version),
    sinks: readStoredSinks(ingestion),
    deadLetterSubject: String(ingestion.deadlettersubject),
    retryBudget: typeof ingestion.retrybudget === 'number' ? ingestion.retrybudget : undefined,
    wireFormat: typeof ingestion.wireformat === 'string' ? ingestion.wireformat : 'raw',
    ...(message.envelope === null ? {} : { envelope: message.envelope }),
    epoch: message.epoch,
  };
}

/**
 * The route for a key, or undefined when no message definition names it. A message's subject
 * is its route key spelled `type.version`, so the key is matched as its two parts.
 */
async function findRoute(sql: Sql, key: RouteKey): Promise<RouteRecord | undefined> {
  const [message]: [MessageRow?] = await sql`
    select m.messagegroupid, m.messageid, m.subject, m.dataschemaxid, m.ingestion, m.epoch::int, coalesce(m.attributes->>'envelope', g.envelope) as envelope
    from xr_messages m join xr_messagegroups g using (messagegroupid)
    where m.subject = ${key.type}::text || '.' || ${key.version}::text`;
  return message === undefined ? undefined : routeOf(sql, message, key);
}

/** The route for a subject as an operator types it (the CLI, seeding), or undefined when no message definition names it. */
async function findRouteBySubject(sql: Sql, subject: string): Promise<RouteRecord | undefined> {
  const [message]: [MessageRow?] = await sql`
    select m.messagegroupid, m.messageid, m.subject, m.dataschemaxid, m.ingestion, m.epoch::int, coalesce(m.attributes->>'envelope', g.envelope) as envelope
    from xr_messages m join xr_messagegroups g using (messagegroupid)
    where m.subject = ${subject}`;
  return message === undefined ? undefined : routeOf(sql, message, routeKeyFromSubject(subject, 'route'));
}

/**
 * Every route the registry holds, by subject: what the data path would find for each routed
 * message (the same reading as findRoute), for screens that list them all. A message whose schema
 * is gone is left out, as the data path treats it as no route.
 */
async function listRoutes(sql: Sql): Promise<RouteRecord[]> {
  const messages = await sql<MessageRow[]>`
    select m.messagegroupid, m.messageid, m.subject, m.dataschemaxid, m.ingestion, m.epoch::int, coalesce(m.attributes->>'envelope', g.envelope) as envelope
    from xr_messages m join xr_messagegroups g using (messagegroupid)
    where m.ingestion is not null and m.subject is not null and m.dataschemaxid is not null
    order by m.subject`;
  const routes: RouteRecord[] = [];
  for (const message of messages) {
    const key = routeKeyOf(message.subject);
    const route = key === undefined ? undefined : await routeOf(sql, message, key);
    if (route !== undefined) routes.push(route);
  }
  return routes;
}

/** A stored subject as a route key; undefined for one that does not parse (a row edited by hand). */
function routeKeyOf(subject: string): RouteKey | undefined {
  try {
    return routeKeyFromSubject(subject, 'route');
  } catch {
    return undefined;
  }
}

type WriterKey = { readonly numericId: number } | { readonly fingerprint: string };

/** A writer schema named by a frame (numeric id or fingerprint), within one schema resource. */
async function findWriterVersion(sql: Sql, schemaXid: string, writer: WriterKey): Promise<SchemaVersionRef | undefined> {
  const reference = matchSchemaXid(schemaXid);
  // Route records build this reference themselves, so it always matches.
  if (reference === undefined) return undefined;
  const rows =
    'numericId' in writer
      ? await sql<VersionRow[]>`
          select schemagroupid, schemaid, versionid, numericid, epoch::int, format, document, fingerprint
          from xr_schema_versions where numericid = ${writer.numericId}
            and schemagroupid = ${reference.group} and schemaid = ${reference.schema}`
      : await sql<VersionRow[]>`
          select schemagroupid, schemaid, versionid, numericid, epoch::int, format, document, fingerprint
          from xr_schema_versions
          where schemagroupid = ${reference.group} and schemaid = ${reference.schema}
            -- Any canonical-form variant's fingerprint names the version (shared/avro/variants.ts).
            and (fingerprint = ${writer.fingerprint}
              or numericid in (select numericid from xr_schema_fingerprints where fingerprint = ${writer.fingerprint}))
          order by numericid limit 1`;
  return rows[0] === undefined ? undefined : toVersionRef(rows[0]);
}

export { findRoute, findRouteBySubject, findWriterVersion, listRoutes };
export type { WriterKey };
