import { checkCompatibility, type CompatibilityMode, COMPATIBILITY_MODES, compileSchema } from '../avro/index.ts';
import { isCloudEventsEnvelope } from '../cloudevents/index.ts';
import { assertFingerprintsUnique, fingerprintsOf } from './fingerprints.ts';
import { checkEnvelopeFields } from './envelope.ts';
import {
  checkEpoch,
  checkId,
  COMMON_ATTRIBUTES,
  extensionAttributes,
  mergePatch,
  nextCommon,
  READ_ONLY,
  rejectUnknown,
  requireObject,
  type WriteMode,
} from './attributes.ts';
import { isObject } from '../json/index.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import { assertId, assertUniqueIgnoringCase, findSibling } from './ids.ts';
import { checkSchemaLimits } from './limits.ts';
import { assertVersionDeletable, assertVersionReplaceable, readersOf } from './readers.ts';
import { schemaXid } from '../names/index.ts';
import { isAvroFormat } from './routability.ts';
import * as store from './store.ts';
import type { Attributes, SchemaMetaRow, SchemaVersionRow } from './types.ts';

const DEFAULT_FORMAT = 'Avro/1.12';
/** The version attributes kept in columns; the schema model has "*", so any other is an extension. */
const VERSION_ATTRIBUTES = ['versionid', 'schemaid', 'format', 'contenttype', 'schema', 'ancestorid', ...COMMON_ATTRIBUTES] as const;
/** A schema written as a whole (`$details`, an import): its default version's attributes, its versions and meta. */
const SCHEMA_ATTRIBUTES = [...VERSION_ATTRIBUTES, 'versions', 'meta'] as const;
/** rc4: a version's document is inline (`schema`), inline base64 (`schemabase64`) or elsewhere (`schemaurl`); at most one. */
const DOCUMENT_ATTRIBUTES = ['schema', 'schemabase64', 'schemaurl'] as const;
const META_ATTRIBUTES = ['schemaid', 'compatibility', 'defaultversionid', 'defaultversionsticky', 'epoch', 'createdat', 'modifiedat'] as const;

type Db = store.Db;

/** A version as a client sends it: attributes plus the schema document (already parsed). */
type VersionInput = { readonly attributes: Attributes; readonly document: unknown };

function compatibilityOf(value: unknown, where: string): CompatibilityMode {
  if (typeof value === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(value)) return value as CompatibilityMode;
  throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: compatibility must be one of ${COMPATIBILITY_MODES.join(', ')}`);
}

function describeProblems(problems: readonly { readonly path: string; readonly message: string }[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
}

async function getMeta(db: Db, group: string, schema: string): Promise<SchemaMetaRow | undefined> {
  return (await store.listSchemaMetas(db, group)).find((meta) => meta.schemaid === schema);
}

async function requireMeta(db: Db, group: string, schema: string): Promise<SchemaMetaRow> {
  const meta = await getMeta(db, group, schema);
  if (meta === undefined)
    throw new XRegistryError(XRegistryErrorType.notFound, `schema ${schemaXid(group, schema)} not found`, { subject: schemaXid(group, schema) });
  return meta;
}

/** Refuses an Avro version document this registry cannot compile. */
function checkAvro(document: unknown, where: string): void {
  checkSchemaLimits(document, where);
  try {
    compileSchema(document);
  } catch (error) {
    throw new XRegistryError(XRegistryErrorType.formatViolation, `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/** One way a candidate breaks the schema's rule: where, why, and the stored version it breaks against. */
type BreakingChange = { readonly path: string; readonly message: string; readonly againstVersion: string };

/** What registering a document as a new version would meet: the rule, and each break or why it is no schema at all. */
type VersionCheck = {
  readonly compatibility: CompatibilityMode;
  readonly breaking: readonly BreakingChange[];
  /** Set when the document is not an Avro schema this registry can store (its format_violation). */
  readonly invalid?: string;
};

/** Each break of the rule by `candidate` against the versions before it (oldest first), named by version id. */
function breakingChanges(mode: CompatibilityMode, candidate: unknown, older: readonly SchemaVersionRow[]): BreakingChange[] {
  if (mode === 'none') return [];
  return checkCompatibility(
    mode,
    candidate,
    older.map((version) => version.document),
  ).map((problem) => ({ path: problem.path, message: problem.message, againstVersion: older[problem.against ?? older.length - 1]!.versionid }));
}

/**
 * Checks a candidate document against the versions before it, under the resource's rule; a
 * violation names each field and why.
 */
function checkAgainst(mode: CompatibilityMode, candidate: unknown, older: readonly SchemaVersionRow[], where: string): void {
  const problems = breakingChanges(mode, candidate, older);
  if (problems.length > 0) {
    throw new XRegistryError(XRegistryErrorType.compatibilityViolation, `${where} breaks "${mode}" compatibility: ${describeProblems(problems)}`);
  }
}

/**
 * The judgement `postVersion` would make of `document` as the schema's next Avro version, with
 * nothing stored: its format and limits, the compatibility rule against every stored Avro version,
 * and the envelope fields the routes reading the schema need. Every problem is reported, not only
 * the first; an unknown schema has no rule yet, so only the document itself is checked.
 */
async function checkNewVersion(db: Db, group: string, schema: string, document: unknown): Promise<VersionCheck> {
  assertId(group, 'schemagroupid');
  assertId(schema, 'schemaid');
  const where = `${schemaXid(group, schema)} (new version)`;
  const meta = await getMeta(db, group, schema);
  const compatibility = compatibilityOf(meta?.compatibility ?? 'none', where);
  try {
    checkAvro(document, where);
  } catch (error) {
    if (error instanceof XRegistryError) return { compatibility, breaking: [], invalid: error.message };
    throw error;
  }
  const older = meta === undefined ? [] : (await store.listVersions(db, group, schema)).filter((version) => version.fingerprint !== null);
  const breaking = breakingChanges(compatibility, document, older);
  try {
    await checkUsedByMessages(db, group, schema, document, where);
  } catch (error) {
    if (!(error instanceof XRegistryError)) throw error;
    breaking.push({ path: '$', message: error.message, againstVersion: meta?.defaultversionid ?? '' });
  }
  return { compatibility, breaking };
}

/** Message definitions reading this schema need the envelope fields the plane relies on. */
async function checkUsedByMessages(db: Db, group: string, schema: string, document: unknown, where: string): Promise<void> {
  const users = await readersOf(db, group, schema);
  if (users.length === 0) return;
  const groups = await store.listMessageGroups(db);
  // A message's own envelope, else its group's.
  const cloudEvents = (user: (typeof users)[number]['message']): boolean =>
    isCloudEventsEnvelope(
      typeof user.attributes.envelope === 'string' ? user.attributes.envelope : groups.find((row) => row.messagegroupid === user.messagegroupid)?.envelope,
    );
  for (const { message: user } of users) {
    const problems = checkEnvelopeFields(document, cloudEvents(user));
    if (problems.length > 0) {
      throw new XRegistryError(XRegistryErrorType.invalidData, `${where} is used by message ${user.messagegroupid}/${user.messageid}: ${problems.join('; ')}`);
    }
  }
}

async function ensureSchemaGroup(db: Db, group: string, mode: WriteMode): Promise<void> {
  const ids = (await store.listSchemaGroups(db)).map((row) => row.schemagroupid);
  if (ids.includes(group)) return;
  assertUniqueIgnoringCase(ids, group, `/schemagroups/${group}`);
  await store.saveSchemaGroup(db, { schemagroupid: group, ...nextCommon({}, undefined, mode, group), attributes: {} });
}

function nextVersionId(versions: readonly SchemaVersionRow[]): string {
  const numbers = versions.map((version) => Number(version.versionid)).filter((n) => Number.isInteger(n));
  return String(numbers.length === 0 ? 1 : Math.max(...numbers) + 1);
}

/**
 * Creates or replaces one version. A new version becomes the default unless the default is
 * sticky; it is checked against the versions before it under the resource's compatibility.
 */
async function putVersion(
  db: Db,
  group: string,
  schema: string,
  versionId: string,
  input: VersionInput,
  mode: WriteMode,
): Promise<{ version: SchemaVersionRow; created: boolean }> {
  assertId(group, 'schemagroupid');
  assertId(schema, 'schemaid');
  assertId(versionId, 'versionid');
  const where = `${schemaXid(group, schema)}/versions/${versionId}`;
  const body = input.attributes;
  const given = (key: (typeof DOCUMENT_ATTRIBUTES)[number]): unknown => (key === 'schema' ? input.document : body[key]);
  const documents = DOCUMENT_ATTRIBUTES.filter((key) => given(key) !== undefined && given(key) !== null);
  if (documents.length > 1) throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: at most one of ${documents.join(', ')} may be given (rc4)`);
  checkId(body, 'versionid', versionId, where);
  checkId(body, 'schemaid', schema, where);
  await ensureSchemaGroup(db, group, mode);
  const meta = findSibling(await store.listSchemaMetas(db, group), (row) => row.schemaid, schema, schemaXid(group, schema));
  const versions = meta === undefined ? [] : await store.listVersions(db, group, schema);
  const existing = findSibling(versions, (version) => version.versionid, versionId, where);
  // A restore carries the epochs to keep; they are not preconditions.
  if (!mode.restore) checkEpoch(body, existing?.epoch, where);
  if (body.format !== undefined && typeof body.format !== 'string')
    throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: "format" must be a string`);
  const format = typeof body.format === 'string' ? body.format : (existing?.format ?? DEFAULT_FORMAT);
  const document = input.document === null ? undefined : input.document;
  // Only an Avro version with its document inline is one the plane can decode with: it alone gets
  // a fingerprint, a numeric id and compatibility checks. Any other format is stored as written.
  const avro = isAvroFormat(format) && document !== undefined;
  const others = versions.filter((version) => version.versionid !== versionId);
  if (others.length > 0 && isAvroFormat(others[0]!.format) !== isAvroFormat(format)) {
    throw new XRegistryError(
      XRegistryErrorType.invalidData,
      `${where}: format "${format}" and the schema's other versions' "${others[0]!.format}" differ; a schema's versions share one format (rc4 matchversions)`,
    );
  }
  if (document !== undefined) checkSchemaLimits(document, where);
  let fingerprint: string | null = null;
  let fingerprints: Readonly<Record<string, string>> = {};
  if (avro) {
    checkAvro(document, where);
    const older = (existing === undefined ? versions : versions.filter((version) => version.position < existing.position)).filter(
      (version) => version.fingerprint !== null,
    );
    // Checked on import too: a registry document written by hand gets the same scrutiny as the API.
    checkAgainst(compatibilityOf(meta?.compatibility ?? 'none', where), document, older, where);
    await checkUsedByMessages(db, group, schema, document, where);
    fingerprints = fingerprintsOf(document);
    fingerprint = fingerprints.spec!;
  } else {
    if ((meta?.compatibility ?? 'none') !== 'none') {
      throw new XRegistryError(
        XRegistryErrorType.invalidData,
        `${where}: compatibility "${meta!.compatibility}" is checked only for Avro; a ${format} schema (or one without an inline document) must have compatibility "none"`,
      );
    }
    const readers = await readersOf(db, group, schema);
    if (readers.length > 0) {
      const user = readers[0]!.message;
      throw new XRegistryError(
        XRegistryErrorType.invalidData,
        `${where} is read by the route ${user.messagegroupid}/${user.messageid}, so it must be an Avro document stored inline (format "${format}")`,
      );
    }
  }
  if (existing !== undefined) await assertVersionReplaceable(db, existing, fingerprint, where);
  if (avro) await assertFingerprintsUnique(db, group, schema, versionId, fingerprints, where);
  if (meta === undefined) {
    // The resource (its meta row) comes first: versions reference it.
    await store.saveSchemaMeta(db, {
      schemagroupid: group,
      schemaid: schema,
      meta_epoch: 1,
      compatibility: 'none',
      defaultversionid: versionId,
      defaultversionsticky: false,
      meta_createdat: mode.now,
      meta_modifiedat: mode.now,
      attributes: null,
    });
  }
  const ancestor = typeof body.ancestorid === 'string' ? body.ancestorid : (existing?.ancestorid ?? meta?.defaultversionid ?? versionId);
  const version = await store.saveVersion(db, {
    schemagroupid: group,
    schemaid: schema,
    versionid: versionId,
    ...nextCommon(body, existing, mode, where),
    format,
    // An Avro document is JSON; a document of another format has the media type it was given, if any.
    contenttype: typeof body.contenttype === 'string' ? body.contenttype : avro ? 'application/json' : null,
    document: document ?? null,
    fingerprint,
    fingerprints,
    ancestorid: ancestor,
    attributes: extensionAttributes(body, VERSION_ATTRIBUTES, READ_ONLY.version, where),
    ...(!avro
      ? { numericid: null }
      : mode.restore && typeof body.numericid === 'number' && Number.isInteger(body.numericid)
        ? { numericid: body.numericid }
        : {}),
  });
  if (meta !== undefined && existing === undefined && !meta.defaultversionsticky) {
    // A new default: resource-level attributes written for the old one no longer describe it.
    await store.saveSchemaMeta(db, { ...meta, defaultversionid: versionId, meta_epoch: meta.meta_epoch + 1, meta_modifiedat: mode.now, attributes: null });
  }
  return { version, created: existing === undefined };
}

/** POST to a schema: a new version with the next numeric id. */
async function postVersion(db: Db, group: string, schema: string, input: VersionInput, mode: WriteMode): Promise<SchemaVersionRow> {
  const versions = (await getMeta(db, group, schema)) === undefined ? [] : await store.listVersions(db, group, schema);
  const id = typeof input.attributes.versionid === 'string' ? input.attributes.versionid : nextVersionId(versions);
  if (versions.some((version) => version.versionid === id)) {
    throw new XRegistryError(XRegistryErrorType.badRequest, `${schemaXid(group, schema)}/versions/${id} already exists; use PUT to replace it`);
  }
  return (await putVersion(db, group, schema, id, input, mode)).version;
}

/** Meta update: compatibility (verified over every existing version), default version, stickiness. */
async function putMeta(db: Db, group: string, schema: string, raw: unknown, options: { patch: boolean }, mode: WriteMode): Promise<SchemaMetaRow> {
  const where = `${schemaXid(group, schema)}/meta`;
  const meta = await requireMeta(db, group, schema);
  const body = requireObject(raw, where);
  if (body.xref !== undefined && body.xref !== null) {
    throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: "xref" (a schema defined elsewhere) is not supported by this registry`, {
      subject: where,
    });
  }
  const { xref: _xref, ...attributes } = body;
  rejectUnknown(attributes, META_ATTRIBUTES, where, READ_ONLY.meta);
  checkId(body, 'schemaid', schema, where);
  // A restore carries the epochs to keep; they are not preconditions.
  if (!mode.restore) checkEpoch(body, meta.meta_epoch, where);
  const current = { compatibility: meta.compatibility, defaultversionid: meta.defaultversionid, defaultversionsticky: meta.defaultversionsticky };
  const next = options.patch ? mergePatch(current, body) : { compatibility: 'none', defaultversionsticky: false, ...body };
  const compatibility = compatibilityOf(next.compatibility ?? 'none', where);
  const versions = await store.listVersions(db, group, schema);
  if (compatibility !== meta.compatibility) {
    if (compatibility !== 'none' && versions.some((version) => version.fingerprint === null)) {
      throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: compatibility "${compatibility}" is checked only for Avro versions stored inline`);
    }
    for (const [index, version] of versions.entries()) {
      checkAgainst(compatibility, version.document, versions.slice(0, index), `${where}: version ${version.versionid}`);
    }
  }
  const sticky = next.defaultversionsticky === true || (body.defaultversionid !== undefined && body.defaultversionsticky !== false);
  const newest = versions.at(-1)!.versionid;
  const defaultId = typeof next.defaultversionid === 'string' && sticky ? next.defaultversionid : newest;
  if (!versions.some((version) => version.versionid === defaultId)) {
    throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: defaultversionid "${defaultId}" does not exist`);
  }
  const updated: SchemaMetaRow = {
    ...meta,
    attributes: defaultId === meta.defaultversionid ? meta.attributes : null,
    compatibility,
    defaultversionid: defaultId,
    defaultversionsticky: sticky,
    meta_epoch: mode.restore && typeof body.epoch === 'number' ? body.epoch : meta.meta_epoch + 1,
    meta_createdat: mode.restore && typeof body.createdat === 'string' ? new Date(body.createdat) : meta.meta_createdat,
    meta_modifiedat: mode.restore && typeof body.modifiedat === 'string' ? new Date(body.modifiedat) : mode.now,
  };
  await store.saveSchemaMeta(db, updated);
  return updated;
}

/**
 * Deleting the last version deletes the schema; deleting the default moves it to the newest.
 * Refused (409) while a route reads the version, or would read one that cannot read its data.
 */
async function removeVersion(db: Db, group: string, schema: string, versionId: string, epoch: number | undefined, now: Date): Promise<void> {
  const meta = await requireMeta(db, group, schema);
  const versions = await store.listVersions(db, group, schema);
  const target = versions.find((version) => version.versionid === versionId);
  const where = `${schemaXid(group, schema)}/versions/${versionId}`;
  if (target === undefined) throw new XRegistryError(XRegistryErrorType.notFound, `${where} not found`, { subject: where });
  checkEpoch({ epoch }, target.epoch, where);
  await assertVersionDeletable(db, target, versions, meta.defaultversionid, where);
  if (versions.length === 1) {
    await store.deleteSchema(db, group, schema);
    return;
  }
  await store.deleteVersion(db, group, schema, versionId);
  if (meta.defaultversionid === versionId) {
    const newest = versions.filter((version) => version.versionid !== versionId).at(-1)!;
    await store.saveSchemaMeta(db, {
      ...meta,
      defaultversionid: newest.versionid,
      defaultversionsticky: false,
      meta_epoch: meta.meta_epoch + 1,
      meta_modifiedat: now,
      attributes: null,
    });
  }
}

/**
 * A version from its `$details` form: attributes, and the document under `schema` when it is
 * inline (rc4 also allows `schemabase64` or `schemaurl`, kept as attributes, or no document).
 */
function versionInputFromDetails(raw: unknown, where: string): VersionInput {
  const { schema, ...attributes } = requireObject(raw, where);
  return { attributes, document: schema };
}

export {
  checkNewVersion,
  DEFAULT_FORMAT,
  extensionAttributes,
  getMeta,
  isObject,
  postVersion,
  putMeta,
  putVersion,
  removeVersion,
  requireMeta,
  SCHEMA_ATTRIBUTES,
  versionInputFromDetails,
};
export type { BreakingChange, VersionCheck, VersionInput };
