import type { Sql, TransactionSql } from '../postgres/index.ts';
import type { EndpointRow, MessageGroupRow, MessageRow, RegistryRow, RoutedMessageRow, SchemaGroupRow, SchemaMetaRow, SchemaVersionRow } from './types.ts';

// Plain data access, one statement per function. Epochs, timestamps and validation are decided
// by the service; this file only moves rows.

type Db = Sql | TransactionSql;

const json = (sql: Db, value: unknown): ReturnType<Db['json']> => sql.json(value as never);
/** SQL null for a JS null or undefined (sql.json would store the JSON value null). */
const jsonOrNull = (sql: Db, value: unknown): ReturnType<Db['json']> | null => (value === null || value === undefined ? null : json(sql, value));

async function getRegistry(sql: Db): Promise<RegistryRow> {
  const [row]: [RegistryRow?] = await sql`select registryid, epoch::int, name, description, labels, attributes, createdat, modifiedat from xr_registry`;
  if (row === undefined) throw new Error('xr_registry is empty; run the migrations');
  return row;
}

/** Restores the registry's own attributes (an import of an export). */
async function saveRegistry(sql: Db, row: RegistryRow): Promise<void> {
  await sql`
    update xr_registry set registryid = ${row.registryid}, epoch = ${row.epoch}, name = ${row.name},
      description = ${row.description}, labels = ${json(sql, row.labels)}, attributes = ${json(sql, row.attributes)},
      createdat = ${row.createdat}, modifiedat = ${row.modifiedat}`;
}

async function listSchemaGroups(sql: Db): Promise<SchemaGroupRow[]> {
  return sql<SchemaGroupRow[]>`
    select schemagroupid, epoch::int, name, description, labels, attributes, createdat, modifiedat
    from xr_schemagroups order by schemagroupid`;
}

async function saveSchemaGroup(sql: Db, row: SchemaGroupRow): Promise<void> {
  await sql`
    insert into xr_schemagroups (schemagroupid, epoch, name, description, labels, attributes, createdat, modifiedat)
    values (${row.schemagroupid}, ${row.epoch}, ${row.name}, ${row.description}, ${json(sql, row.labels)}, ${json(sql, row.attributes)},
            ${row.createdat}, ${row.modifiedat})
    on conflict (schemagroupid) do update set
      epoch = excluded.epoch, name = excluded.name, description = excluded.description, labels = excluded.labels,
      attributes = excluded.attributes, createdat = excluded.createdat, modifiedat = excluded.modifiedat`;
}

async function listMessageGroups(sql: Db): Promise<MessageGroupRow[]> {
  return sql<MessageGroupRow[]>`
    select messagegroupid, epoch::int, name, description, labels, envelope, protocol, attributes, createdat, modifiedat
    from xr_messagegroups order by messagegroupid`;
}

async function saveMessageGroup(sql: Db, row: MessageGroupRow): Promise<void> {
  await sql`
    insert into xr_messagegroups (messagegroupid, epoch, name, description, labels, envelope, protocol, attributes, createdat, modifiedat)
    values (${row.messagegroupid}, ${row.epoch}, ${row.name}, ${row.description}, ${json(sql, row.labels)},
            ${row.envelope}, ${row.protocol}, ${json(sql, row.attributes)}, ${row.createdat}, ${row.modifiedat})
    on conflict (messagegroupid) do update set
      epoch = excluded.epoch, name = excluded.name, description = excluded.description, labels = excluded.labels,
      envelope = excluded.envelope, protocol = excluded.protocol, attributes = excluded.attributes,
      createdat = excluded.createdat, modifiedat = excluded.modifiedat`;
}

async function listEndpoints(sql: Db): Promise<EndpointRow[]> {
  return sql<EndpointRow[]>`
    select endpointid, epoch::int, name, description, labels, attributes, createdat, modifiedat
    from xr_endpoints order by endpointid`;
}

async function saveEndpoint(sql: Db, row: EndpointRow): Promise<void> {
  await sql`
    insert into xr_endpoints (endpointid, epoch, name, description, labels, attributes, createdat, modifiedat)
    values (${row.endpointid}, ${row.epoch}, ${row.name}, ${row.description}, ${json(sql, row.labels)}, ${json(sql, row.attributes)},
            ${row.createdat}, ${row.modifiedat})
    on conflict (endpointid) do update set
      epoch = excluded.epoch, name = excluded.name, description = excluded.description, labels = excluded.labels,
      attributes = excluded.attributes, createdat = excluded.createdat, modifiedat = excluded.modifiedat`;
}

async function deleteGroup(sql: Db, kind: 'schemagroups' | 'messagegroups' | 'endpoints', id: string): Promise<boolean> {
  const rows =
    kind === 'schemagroups'
      ? await sql`delete from xr_schemagroups where schemagroupid = ${id} returning 1`
      : kind === 'messagegroups'
        ? await sql`delete from xr_messagegroups where messagegroupid = ${id} returning 1`
        : await sql`delete from xr_endpoints where endpointid = ${id} returning 1`;
  return rows.length > 0;
}

async function listSchemaMetas(sql: Db, group: string): Promise<SchemaMetaRow[]> {
  return sql<SchemaMetaRow[]>`
    select schemagroupid, schemaid, meta_epoch::int, compatibility, defaultversionid, defaultversionsticky, meta_createdat, meta_modifiedat, attributes
    from xr_schemas where schemagroupid = ${group} order by schemaid`;
}

async function saveSchemaMeta(sql: Db, row: SchemaMetaRow): Promise<void> {
  await sql`
    insert into xr_schemas
      (schemagroupid, schemaid, meta_epoch, compatibility, defaultversionid, defaultversionsticky, meta_createdat, meta_modifiedat, attributes)
    values (${row.schemagroupid}, ${row.schemaid}, ${row.meta_epoch}, ${row.compatibility}, ${row.defaultversionid},
            ${row.defaultversionsticky}, ${row.meta_createdat}, ${row.meta_modifiedat}, ${jsonOrNull(sql, row.attributes)})
    on conflict (schemagroupid, schemaid) do update set
      meta_epoch = excluded.meta_epoch, compatibility = excluded.compatibility, defaultversionid = excluded.defaultversionid,
      defaultversionsticky = excluded.defaultversionsticky, meta_createdat = excluded.meta_createdat,
      meta_modifiedat = excluded.meta_modifiedat, attributes = excluded.attributes`;
}

async function deleteSchema(sql: Db, group: string, schema: string): Promise<boolean> {
  const rows = await sql`delete from xr_schemas where schemagroupid = ${group} and schemaid = ${schema} returning 1`;
  return rows.length > 0;
}

const VERSION_COLUMNS = (sql: Db) => sql`
  schemagroupid, schemaid, versionid, numericid, epoch::int, name, description, labels, format, contenttype,
  document, fingerprint, ancestorid, attributes, position::int, createdat, modifiedat,
  (select coalesce(jsonb_object_agg(f.variant, f.fingerprint), '{}') from xr_schema_fingerprints f
    where f.numericid = xr_schema_versions.numericid) as fingerprints`;

/** Versions of one schema, oldest first (the order compatibility rules are checked in). */
async function listVersions(sql: Db, group: string, schema: string): Promise<SchemaVersionRow[]> {
  return sql<SchemaVersionRow[]>`
    select ${VERSION_COLUMNS(sql)} from xr_schema_versions
    where schemagroupid = ${group} and schemaid = ${schema} order by position`;
}

/**
 * Inserts or replaces a version. `numericid` is given when restoring an export (wire formats carry
 * it, so a restored registry must keep every number producers already use) and as null for a
 * version that gets none (not Avro); undefined takes the next number. A replaced version keeps
 * its number unless it is given one.
 */
async function saveVersion(sql: Db, row: Omit<SchemaVersionRow, 'numericid' | 'position'> & { numericid?: number | null }): Promise<SchemaVersionRow> {
  const [saved]: [SchemaVersionRow?] = await sql`
    insert into xr_schema_versions
      (numericid, schemagroupid, schemaid, versionid, epoch, name, description, labels, format, contenttype, document, fingerprint,
       ancestorid, attributes, createdat, modifiedat)
    values (${row.numericid === undefined ? sql`default` : row.numericid}, ${row.schemagroupid}, ${row.schemaid}, ${row.versionid}, ${row.epoch},
            ${row.name}, ${row.description}, ${json(sql, row.labels)}, ${row.format}, ${row.contenttype}, ${jsonOrNull(sql, row.document)},
            ${row.fingerprint}, ${row.ancestorid}, ${json(sql, row.attributes)}, ${row.createdat}, ${row.modifiedat})
    on conflict (schemagroupid, schemaid, versionid) do update set
      epoch = excluded.epoch, name = excluded.name, description = excluded.description, labels = excluded.labels,
      format = excluded.format, contenttype = excluded.contenttype, document = excluded.document,
      fingerprint = excluded.fingerprint, ancestorid = excluded.ancestorid, attributes = excluded.attributes,
      createdat = excluded.createdat, modifiedat = excluded.modifiedat,
      numericid = ${row.numericid === undefined ? sql`xr_schema_versions.numericid` : row.numericid}
    returning ${VERSION_COLUMNS(sql)}`;
  if (row.numericid !== undefined && row.numericid !== null) {
    // Keep the identity ahead of restored numbers so new versions never collide with them.
    await sql`select setval('xr_schema_versions_numericid_seq', (select max(numericid) from xr_schema_versions))`;
  }
  // Only Avro versions have a numeric id, and only they have fingerprints.
  if (saved!.numericid === null) return { ...saved!, fingerprints: {} };
  await saveFingerprints(sql, saved!.numericid, row.fingerprints);
  return { ...saved!, fingerprints: row.fingerprints };
}

/** Replaces the variant fingerprints of one version. */
async function saveFingerprints(sql: Db, numericid: number, fingerprints: Readonly<Record<string, string>>): Promise<void> {
  await sql`delete from xr_schema_fingerprints where numericid = ${numericid}`;
  const rows = Object.entries(fingerprints).map(([variant, fingerprint]) => ({ numericid, variant, fingerprint }));
  if (rows.length > 0) await sql`insert into xr_schema_fingerprints ${sql(rows, 'numericid', 'variant', 'fingerprint')}`;
}

/**
 * Other versions of one schema that share any of these fingerprints under any variant, with the
 * variant each matched under: a single-object frame could not tell them apart.
 */
async function versionsSharingFingerprints(
  sql: Db,
  group: string,
  schema: string,
  fingerprints: readonly string[],
): Promise<{ versionid: string; fingerprint: string; variant: string; specfingerprint: string }[]> {
  return sql`
    select v.versionid, f.fingerprint, f.variant, v.fingerprint as specfingerprint
    from xr_schema_fingerprints f join xr_schema_versions v using (numericid)
    where v.schemagroupid = ${group} and v.schemaid = ${schema} and f.fingerprint = any(${fingerprints as string[]}::text[])
    order by v.numericid, f.variant`;
}

/** Versions whose variant fingerprints have not been computed yet (rows from before migration 00004). */
async function versionsWithoutVariants(sql: Db): Promise<{ numericid: number; document: unknown }[]> {
  return sql`
    select numericid, document from xr_schema_versions v
    where v.numericid is not null and v.fingerprint is not null
      and not exists (select 1 from xr_schema_fingerprints f where f.numericid = v.numericid)`;
}

async function deleteVersion(sql: Db, group: string, schema: string, version: string): Promise<boolean> {
  const rows = await sql`
    delete from xr_schema_versions where schemagroupid = ${group} and schemaid = ${schema} and versionid = ${version} returning 1`;
  return rows.length > 0;
}

async function versionByNumericId(sql: Db, numericId: number): Promise<SchemaVersionRow | undefined> {
  const [row]: [SchemaVersionRow?] = await sql`select ${VERSION_COLUMNS(sql)} from xr_schema_versions where numericid = ${numericId}`;
  return row;
}

async function versionsByFingerprint(sql: Db, fingerprint: string): Promise<SchemaVersionRow[]> {
  return sql<SchemaVersionRow[]>`select ${VERSION_COLUMNS(sql)} from xr_schema_versions where fingerprint = ${fingerprint} order by numericid`;
}

/** Versions migrated from SQL whose fingerprint still has to be computed by the application. */
async function versionsWithoutFingerprint(sql: Db): Promise<SchemaVersionRow[]> {
  return sql<SchemaVersionRow[]>`select ${VERSION_COLUMNS(sql)} from xr_schema_versions where fingerprint = 'pending'`;
}

const MESSAGE_COLUMNS = (sql: Db) => sql`
  messagegroupid, messageid, epoch::int, name, description, labels, protocol, protocoloptions, subject,
  dataschemaformat, dataschemaxid, ingestion, attributes, createdat, modifiedat`;

async function listMessages(sql: Db, group: string): Promise<MessageRow[]> {
  return sql<MessageRow[]>`select ${MESSAGE_COLUMNS(sql)} from xr_messages where messagegroupid = ${group} order by messageid`;
}

/** Every message definition (route) in the registry: few enough to judge in code. */
async function listAllMessages(sql: Db): Promise<MessageRow[]> {
  return sql<MessageRow[]>`select ${MESSAGE_COLUMNS(sql)} from xr_messages order by messagegroupid, messageid`;
}

/** The message definitions the plane routes; catalogue messages (no `ingestion`, so no subject) left out. */
async function listRoutedMessages(sql: Db): Promise<RoutedMessageRow[]> {
  return (await listAllMessages(sql)).filter((row): row is RoutedMessageRow => row.ingestion !== null && row.dataschemaxid !== null && row.subject !== null);
}

async function messageBySubject(sql: Db, subject: string): Promise<MessageRow | undefined> {
  const [row]: [MessageRow?] = await sql`select ${MESSAGE_COLUMNS(sql)} from xr_messages where subject = ${subject}`;
  return row;
}

async function saveMessage(sql: Db, row: MessageRow): Promise<void> {
  await sql`
    insert into xr_messages
      (messagegroupid, messageid, epoch, name, description, labels, protocol, protocoloptions, subject,
       dataschemaformat, dataschemaxid, ingestion, attributes, createdat, modifiedat)
    values (${row.messagegroupid}, ${row.messageid}, ${row.epoch}, ${row.name}, ${row.description}, ${json(sql, row.labels)},
            ${row.protocol}, ${jsonOrNull(sql, row.protocoloptions)}, ${row.subject}, ${row.dataschemaformat}, ${row.dataschemaxid},
            ${jsonOrNull(sql, row.ingestion)}, ${json(sql, row.attributes)}, ${row.createdat}, ${row.modifiedat})
    on conflict (messagegroupid, messageid) do update set
      epoch = excluded.epoch, name = excluded.name, description = excluded.description, labels = excluded.labels,
      protocol = excluded.protocol, protocoloptions = excluded.protocoloptions, subject = excluded.subject,
      dataschemaformat = excluded.dataschemaformat, dataschemaxid = excluded.dataschemaxid, ingestion = excluded.ingestion,
      attributes = excluded.attributes, createdat = excluded.createdat, modifiedat = excluded.modifiedat`;
}

async function deleteMessage(sql: Db, group: string, message: string): Promise<boolean> {
  const rows = await sql`delete from xr_messages where messagegroupid = ${group} and messageid = ${message} returning 1`;
  return rows.length > 0;
}

export {
  deleteGroup,
  deleteMessage,
  deleteSchema,
  deleteVersion,
  getRegistry,
  listAllMessages,
  listRoutedMessages,
  listEndpoints,
  listMessageGroups,
  listMessages,
  listSchemaGroups,
  listSchemaMetas,
  listVersions,
  messageBySubject,
  saveEndpoint,
  saveMessage,
  saveMessageGroup,
  saveRegistry,
  saveSchemaGroup,
  saveSchemaMeta,
  saveFingerprints,
  saveVersion,
  versionByNumericId,
  versionsByFingerprint,
  versionsSharingFingerprints,
  versionsWithoutFingerprint,
  versionsWithoutVariants,
};
export type { Db };
