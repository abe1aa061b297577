import { checkCompatibility, type CompatibilityMode, COMPATIBILITY_MODES, compileSchema } from '../avro/index.ts';
import { isCloudEventsEnvelope } from '../cloudevents/index.ts';
import { assertFingerprintsUnique, fingerprintsOf } from './fingerprints.ts';
import { checkEnvelopeFields } from './envelope.ts';
import { checkEpoch, checkId, COMMON_ATTRIBUTES, mergePatch, nextCommon, READ_ONLY, rejectUnknown, requireObject, type WriteMode } from './attributes.ts';
import { isObject } from '../json/index.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import { assertId, assertUniqueIgnoringCase, findSibling } from './ids.ts';
import { checkSchemaLimits } from './limits.ts';
import { assertVersionDeletable, assertVersionReplaceable, readersOf } from './readers.ts';
import { schemaXid } from '../names/index.ts';
import * as store from './store.ts';
import type { Attributes, SchemaMetaRow, SchemaVersionRow } from './types.ts';

const AVRO_FORMAT = /^avro\/[0-9]+(\.[0-9]+){0,2}$/i;
const DEFAULT_FORMAT = 'Avro/1.12';
const VERSION_ATTRIBUTES = ['versionid', 'schemaid', 'format', 'contenttype', 'schema', 'ancestorid', ...COMMON_ATTRIBUTES] as const;
/** A schema written as a whole (`$details`, an import): its default version's attributes, its versions and meta. */
const SCHEMA_ATTRIBUTES = [...VERSION_ATTRIBUTES, 'versions', 'meta'] as const;
const META_ATTRIBUTES = ['schemaid', 'compatibility', 'defaultversionid', 'defaultversionsticky', 'epoch', 'createdat', 'modifiedat'] as const;

type Db = store.Db;

/** A version as a client sends it: attributes plus the schema document (already parsed). */
type VersionInput = { readonly attributes: Attributes; readonly document: unknown };

function compatibilityOf(value: unknown, where: string): CompatibilityMode {
  if (typeof value === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(value)) return value as CompatibilityMode;
  throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: compatibility must be one of ${COMPATIBILITY_MODES.join(', ')}`);
}

function describeProblems(problems: readonly { path: string; message: string }[]): string {
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

/** Refuses a version document that is not Avro this registry can compile. */
function checkFormat(format: string, document: unknown, where: string): void {
  if (!AVRO_FORMAT.test(format)) {
    throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: format "${format}" is not supported; use Avro/<release>, e.g. ${DEFAULT_FORMAT}`);
  }
  checkSchemaLimits(document, where);
  try {
    compileSchema(document);
  } catch (error) {
    throw new XRegistryError(XRegistryErrorType.formatViolation, `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Checks a candidate document against the versions before it, under the resource's rule; a
 * violation names each field and why.
 */
function checkAgainst(mode: CompatibilityMode, candidate: unknown, older: readonly SchemaVersionRow[], where: string): void {
  const problems = checkCompatibility(
    mode,
    candidate,
    older.map((version) => version.document),
  );
  if (problems.length > 0) {
    throw new XRegistryError(XRegistryErrorType.compatibilityViolation, `${where} breaks "${mode}" compatibility: ${describeProblems(problems)}`);
  }
}

/** Message definitions reading this schema need the envelope fields the plane relies on. */
async function checkUsedByMessages(db: Db, group: string, schema: string, document: unknown, where: string): Promise<void> {
  const users = await readersOf(db, group, schema);
  if (users.length === 0) return;
  const groups = await store.listMessageGroups(db);
  const cloudEvents = (messagegroupid: string): boolean => isCloudEventsEnvelope(groups.find((row) => row.messagegroupid === messagegroupid)?.envelope);
  for (const { message: user } of users) {
    const problems = checkEnvelopeFields(document, cloudEvents(user.messagegroupid));
    if (problems.length > 0) {
      throw new XRegistryError(XRegistryErrorType.invalidData, `${where} is used by message ${user.messagegroupid}/${user.messageid}: ${problems.join('; ')}`);
    }
  }
}

async function ensureSchemaGroup(db: Db, group: string, mode: WriteMode): Promise<void> {
  const ids = (await store.listSchemaGroups(db)).map((row) => row.schemagroupid);
  if (ids.includes(group)) return;
  assertUniqueIgnoringCase(ids, group, `/schemagroups/${group}`);
  await store.saveSchemaGroup(db, { schemagroupid: group, ...nextCommon({}, undefined, mode, group) });
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
  rejectUnknown(body, VERSION_ATTRIBUTES, where, READ_ONLY.version);
  checkId(body, 'versionid', versionId, where);
  checkId(body, 'schemaid', schema, where);
  await ensureSchemaGroup(db, group, mode);
  const meta = findSibling(await store.listSchemaMetas(db, group), (row) => row.schemaid, schema, schemaXid(group, schema));
  const versions = meta === undefined ? [] : await store.listVersions(db, group, schema);
  const existing = findSibling(versions, (version) => version.versionid, versionId, where);
  // A restore carries the epochs to keep; they are not preconditions.
  if (!mode.restore) checkEpoch(body, existing?.epoch, where);
  const format = typeof body.format === 'string' ? body.format : (existing?.format ?? DEFAULT_FORMAT);
  checkFormat(format, input.document, where);
  const older = existing === undefined ? versions : versions.filter((version) => version.numericid < existing.numericid);
  // Checked on import too: a registry document written by hand gets the same scrutiny as the API.
  checkAgainst(compatibilityOf(meta?.compatibility ?? 'none', where), input.document, older, where);
  await checkUsedByMessages(db, group, schema, input.document, where);
  const fingerprints = fingerprintsOf(input.document);
  const fingerprint = fingerprints.spec!;
  if (existing !== undefined) await assertVersionReplaceable(db, existing, fingerprint, where);
  await assertFingerprintsUnique(db, group, schema, versionId, fingerprints, where);
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
    });
  }
  const ancestor = typeof body.ancestorid === 'string' ? body.ancestorid : (existing?.ancestorid ?? meta?.defaultversionid ?? versionId);
  const version = await store.saveVersion(db, {
    schemagroupid: group,
    schemaid: schema,
    versionid: versionId,
    ...nextCommon(body, existing, mode, where),
    format,
    contenttype: typeof body.contenttype === 'string' ? body.contenttype : 'application/json',
    document: input.document,
    fingerprint,
    fingerprints,
    ancestorid: ancestor,
    ...(mode.restore && typeof body.numericid === 'number' && Number.isInteger(body.numericid) ? { numericid: body.numericid } : {}),
  });
  if (meta !== undefined && existing === undefined && !meta.defaultversionsticky) {
    await store.saveSchemaMeta(db, { ...meta, defaultversionid: versionId, meta_epoch: meta.meta_epoch + 1, meta_modifiedat: mode.now });
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
    });
  }
}

/** The document of a version from a body that is either the document or `$details` with `schema`. */
function versionInputFromDetails(raw: unknown, where: string): VersionInput {
  const body = requireObject(raw, where);
  if (!('schema' in body)) throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: "schema" (the Avro document) is required`);
  const { schema, ...attributes } = body;
  return { attributes, document: schema };
}

export { DEFAULT_FORMAT, getMeta, isObject, postVersion, putMeta, putVersion, removeVersion, requireMeta, SCHEMA_ATTRIBUTES, versionInputFromDetails };
export type { VersionInput };
