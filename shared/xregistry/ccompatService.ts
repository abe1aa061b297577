import { isDeepStrictEqual } from 'node:util';
import { checkCompatibility, type CompatibilityMode, compileSchema } from '../avro/index.ts';
import { matchSchemaXid } from '../names/index.ts';
import type { Sql } from '../postgres/index.ts';
import type { WriteMode } from './attributes.ts';
import { CcompatCode, CcompatError, ccompatErrorOf, type CcompatOperation } from './ccompatErrors.ts';
import * as ccompatStore from './ccompatStore.ts';
import {
  CCOMPAT_GROUP,
  compatibilityOfLevel,
  levelOf,
  routeSubjectOf,
  type SubjectTarget,
  subjectOfRoute,
  subjectTarget,
  type VersionSelector,
  versionNumberOf,
} from './ccompatSubjects.ts';
import { assertSchemaDeletable, assertVersionDeletable } from './readers.ts';
import { DEFAULT_FORMAT, getMeta, postVersion, putMeta, removeVersion } from './schemas.ts';
import * as store from './store.ts';
import { type CcompatVersion, type NumberedVersion, schemaTypeOf, schemaString, view } from './ccompatViews.ts';
import type { SchemaMetaRow } from './types.ts';

type Db = store.Db;
/** The registry service's write transaction: one at a time, under the registry's write lock. */
type RegistryWrite = <T>(work: (db: Db, mode: WriteMode) => Promise<T>) => Promise<T>;

/** A subject whose schema exists: where it lives, its meta and its numbered versions (oldest first). */
type Subject = { readonly name: string; readonly target: SubjectTarget; readonly meta: SchemaMetaRow; readonly versions: readonly NumberedVersion[] };

function subjectNotFound(subject: string): CcompatError {
  return new CcompatError(CcompatCode.subjectNotFound, `subject "${subject}" not found`);
}

/** A document the plane can compile as Avro, or 42201 with the reason. */
function requireAvro(document: unknown): void {
  try {
    compileSchema(document);
  } catch (error) {
    throw new CcompatError(CcompatCode.invalidSchema, `invalid Avro schema: ${(error as Error).message}`, { cause: error });
  }
}

/** Runs `work`, turning the registry's refusals into the Confluent error the operation gives. */
async function translated<T>(operation: CcompatOperation, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw ccompatErrorOf(error, operation) ?? error;
  }
}

/**
 * The registry seen as a Confluent Schema Registry (Apicurio calls this "ccompat"). Subjects are
 * xRegistry schemas (ccompatSubjects.ts says which), versions their numbered versions, ids their
 * `numericid`; writes go through the same functions and checks as the xRegistry API, inside its
 * write transaction. Soft deletes and levels of subjects not yet created are the only state of
 * its own (ccompatStore.ts).
 */
class CcompatService {
  readonly #sql: Sql;
  readonly #write: RegistryWrite;

  constructor(options: { readonly sql: Sql; readonly write: RegistryWrite }) {
    this.#sql = options.sql;
    this.#write = options.write;
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Subject names, sorted: every route's, and every schema of the ccompat group a route's name does not hide. */
  async subjects(options: { readonly deleted: boolean; readonly prefix: string }): Promise<string[]> {
    const db = this.#sql;
    const candidates = new Map<string, { group: string; schema: string }>();
    const routeSubjects = new Set<string>();
    for (const message of await store.listRoutedMessages(db)) {
      const reference = matchSchemaXid(message.dataschemaxid);
      routeSubjects.add(message.subject);
      if (reference !== undefined) candidates.set(subjectOfRoute(message.subject), { group: reference.group, schema: reference.schema });
    }
    for (const meta of await store.listSchemaMetas(db, CCOMPAT_GROUP)) {
      const natsSubject = routeSubjectOf(meta.schemaid);
      if (natsSubject !== undefined && routeSubjects.has(natsSubject)) continue;
      candidates.set(meta.schemaid, { group: CCOMPAT_GROUP, schema: meta.schemaid });
    }
    const names: string[] = [];
    for (const [name, { group, schema }] of candidates) {
      if (!name.startsWith(options.prefix)) continue;
      const versions = await this.#numberedVersions(db, group, schema);
      if (versions.some((version) => options.deleted || !version.deleted)) names.push(name);
    }
    return names.sort();
  }

  /** The subject's version numbers; 40401 when it has none (left). */
  async versions(subject: string, deleted: boolean): Promise<number[]> {
    const found = await this.#requireSubject(this.#sql, subject, deleted);
    return found.versions.filter((version) => deleted || !version.deleted).map((version) => version.version);
  }

  async version(subject: string, selector: VersionSelector, deleted: boolean): Promise<CcompatVersion> {
    const found = await this.#requireSubject(this.#sql, subject, deleted);
    return view(subject, this.#select(found, selector, deleted));
  }

  /** POST /subjects/{s}: the version of the subject whose document is this one; 40403 when none is. */
  async lookup(subject: string, document: unknown, deleted: boolean): Promise<CcompatVersion> {
    const found = await this.#requireSubject(this.#sql, subject, deleted);
    const match = found.versions.find((version) => (deleted || !version.deleted) && isDeepStrictEqual(version.row.document, document));
    if (match === undefined) throw new CcompatError(CcompatCode.schemaNotFound, `subject "${subject}" has no version with this schema`);
    return view(subject, match);
  }

  /** GET /schemas/ids/{id}: any version of the registry by its numericid, soft-deleted or not. */
  async schemaById(id: number): Promise<{ schema: string; schemaType?: string }> {
    const row = await store.versionByNumericId(this.#sql, id);
    if (row === undefined) throw new CcompatError(CcompatCode.schemaNotFound, `schema ${id} not found`);
    const schemaType = schemaTypeOf(row.format);
    return { schema: schemaString(row), ...(schemaType === undefined ? {} : { schemaType }) };
  }

  /** GET /schemas/ids/{id}/versions: the subjects (and their version numbers) this id is a version of. */
  async subjectVersionsOfId(id: number): Promise<{ subject: string; version: number }[]> {
    const db = this.#sql;
    const row = await store.versionByNumericId(db, id);
    if (row === undefined) throw new CcompatError(CcompatCode.schemaNotFound, `schema ${id} not found`);
    const version = versionNumberOf(row.versionid);
    if (version === undefined) return [];
    const messages = await store.listRoutedMessages(db);
    const names = messages
      .filter((message) => {
        const reference = matchSchemaXid(message.dataschemaxid);
        return reference?.group === row.schemagroupid && reference.schema === row.schemaid;
      })
      .map((message) => subjectOfRoute(message.subject));
    const hidden = (name: string): boolean => messages.some((message) => message.subject === routeSubjectOf(name));
    if (row.schemagroupid === CCOMPAT_GROUP && !hidden(row.schemaid)) names.push(row.schemaid);
    return [...new Set(names)].sort().map((subject) => ({ subject, version }));
  }

  /**
   * Whether `document` may be registered: checked under the subject's level as registration
   * checks it (against every version when no number is given or "latest", soft-deleted ones
   * included, since the registry still holds them), or against one version. Problems name the
   * field and why.
   */
  async testCompatibility(subject: string, selector: VersionSelector | undefined, document: unknown): Promise<{ compatible: boolean; messages: string[] }> {
    requireAvro(document);
    const db = this.#sql;
    const found = await this.#requireSubject(db, subject, false);
    const mode = found.meta.compatibility as CompatibilityMode;
    let previous: unknown[];
    if (selector?.kind === 'number') previous = [this.#select(found, selector, false).row.document];
    else {
      if (selector?.kind === 'latest') this.#select(found, selector, false);
      previous = (await store.listVersions(db, found.target.group, found.target.schema)).map((row) => row.document);
    }
    const messages = checkCompatibility(mode, document, previous).map((problem) => `${problem.path}: ${problem.message}`);
    return { compatible: messages.length === 0, messages };
  }

  async globalLevel(): Promise<string> {
    return levelOf((await ccompatStore.configLevel(this.#sql, ccompatStore.GLOBAL_SCOPE)) ?? 'backward');
  }

  /** GET /config/{s}: the schema's compatibility, a level set before the subject existed, or (asked for) the global one. */
  async subjectLevel(subject: string, defaultToGlobal: boolean): Promise<string> {
    const db = this.#sql;
    const target = await this.#target(db, subject);
    const meta = target === undefined ? undefined : await getMeta(db, target.group, target.schema);
    if (meta !== undefined) return levelOf(meta.compatibility);
    const pending = target === undefined ? undefined : await ccompatStore.configLevel(db, subject);
    if (pending !== undefined) return levelOf(pending);
    if (defaultToGlobal) return this.globalLevel();
    throw new CcompatError(CcompatCode.subjectCompatibilityNotConfigured, `subject "${subject}" has no compatibility level of its own`);
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * POST /subjects/{s}/versions. A document equal to one of the subject's versions gives that
   * version's id (a soft-deleted one comes back); anything else becomes the next version, checked
   * as every xRegistry version is (format, compatibility, the envelope fields routes need). A
   * new subject's schema starts with the level set for it, or else the global one.
   */
  register(subject: string, document: unknown): Promise<{ id: number }> {
    return translated('register', () =>
      this.#write(async (db, mode) => {
        const target = await this.#target(db, subject);
        if (target === undefined) throw invalidSubject(subject);
        const meta = await getMeta(db, target.group, target.schema);
        if (meta !== undefined) {
          const deleted = await ccompatStore.deletedVersionIds(db, target.group, target.schema);
          const versions = await store.listVersions(db, target.group, target.schema);
          const same = versions.find(
            (row): row is NumberedVersion['row'] =>
              row.numericid !== null && versionNumberOf(row.versionid) !== undefined && isDeepStrictEqual(row.document, document),
          );
          if (same !== undefined) {
            if (deleted.has(same.versionid)) await ccompatStore.unmarkDeleted(db, target.group, target.schema, same.versionid);
            return { id: same.numericid };
          }
        } else {
          await assertNoCaseTwin(db, target, subject);
        }
        requireAvro(document);
        const row = await postVersion(db, target.group, target.schema, { attributes: { format: DEFAULT_FORMAT }, document }, mode);
        if (meta === undefined) {
          const level = (await ccompatStore.configLevel(db, subject)) ?? (await ccompatStore.configLevel(db, ccompatStore.GLOBAL_SCOPE)) ?? 'backward';
          if (level !== 'none') await putMeta(db, target.group, target.schema, { compatibility: level }, { patch: true }, mode);
          await ccompatStore.deleteConfigLevel(db, subject);
        }
        // requireAvro above: an Avro version stored inline always gets a numeric id.
        if (row.numericid === null) throw new Error(`version ${row.versionid} of ${subject} was stored without a numeric id`);
        return { id: row.numericid };
      }),
    );
  }

  async setGlobalLevel(level: unknown): Promise<string> {
    const compatibility = compatibilityOfLevel(level);
    await this.#write((db) => ccompatStore.saveConfigLevel(db, ccompatStore.GLOBAL_SCOPE, compatibility));
    return levelOf(compatibility);
  }

  /**
   * PUT /config/{s}: the schema's xRegistry compatibility, refused (42203) when its versions
   * break the new level; kept for later when the subject does not exist yet.
   */
  setSubjectLevel(subject: string, level: unknown): Promise<string> {
    const compatibility = compatibilityOfLevel(level);
    return translated('config', () =>
      this.#write(async (db, mode) => {
        const target = await this.#target(db, subject);
        if (target === undefined) throw invalidSubject(subject);
        if ((await getMeta(db, target.group, target.schema)) !== undefined) {
          await putMeta(db, target.group, target.schema, { compatibility }, { patch: true }, mode);
        } else {
          await ccompatStore.saveConfigLevel(db, subject, compatibility);
        }
        return levelOf(compatibility);
      }),
    );
  }

  /** DELETE /config/{s}: the subject goes back to the global level; answers the level it had. */
  deleteSubjectLevel(subject: string): Promise<string> {
    return translated('config', () =>
      this.#write(async (db, mode) => {
        const target = await this.#target(db, subject);
        const meta = target === undefined ? undefined : await getMeta(db, target.group, target.schema);
        if (target !== undefined && meta !== undefined) {
          const global = (await ccompatStore.configLevel(db, ccompatStore.GLOBAL_SCOPE)) ?? 'backward';
          await putMeta(db, target.group, target.schema, { compatibility: global }, { patch: true }, mode);
          return levelOf(meta.compatibility);
        }
        const pending = await ccompatStore.configLevel(db, subject);
        if (target === undefined || pending === undefined) {
          throw new CcompatError(CcompatCode.subjectCompatibilityNotConfigured, `subject "${subject}" has no compatibility level of its own`);
        }
        await ccompatStore.deleteConfigLevel(db, subject);
        return levelOf(pending);
      }),
    );
  }

  /**
   * DELETE /subjects/{s}/versions/{v}: a soft delete hides the version (refused, 42206, when
   * the registry would refuse removing it: a route reads it); `permanent` after a soft delete
   * removes it from the registry as the xRegistry API does, under the same checks.
   */
  deleteVersion(subject: string, selector: VersionSelector, permanent: boolean): Promise<number> {
    return translated('delete', () =>
      this.#write(async (db, mode) => {
        // Soft-deleted versions are found too: deleting one again is 40406, not "not found".
        const found = await this.#requireSubject(db, subject, true);
        const target = this.#select(found, selector, true);
        const { group, schema } = found.target;
        const where = `subject "${subject}" version ${target.version}`;
        if (!permanent) {
          if (target.deleted) throw new CcompatError(CcompatCode.versionSoftDeleted, `${where} is already soft-deleted; add ?permanent=true to remove it`);
          const rows = await store.listVersions(db, group, schema);
          await assertVersionDeletable(db, target.row, rows, found.meta.defaultversionid, where);
          await ccompatStore.markDeleted(db, group, schema, [target.row.versionid], mode.now);
          return target.version;
        }
        if (!target.deleted) throw new CcompatError(CcompatCode.versionNotSoftDeleted, `${where} must be soft-deleted before it is deleted permanently`);
        await removeVersion(db, group, schema, target.row.versionid, undefined, mode.now);
        return target.version;
      }),
    );
  }

  /**
   * DELETE /subjects/{s}: soft-deletes every version (refused, 42206, while a route reads the
   * schema, which a route's own subject always is); `permanent` after that deletes the schema.
   * Answers the version numbers deleted.
   */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return translated('delete', () =>
      this.#write(async (db, mode) => {
        const found = await this.#requireSubject(db, subject, true);
        const { group, schema } = found.target;
        const where = `subject "${subject}"`;
        const live = found.versions.filter((version) => !version.deleted);
        if (!permanent) {
          if (live.length === 0) throw new CcompatError(CcompatCode.subjectSoftDeleted, `${where} is already soft-deleted; add ?permanent=true to remove it`);
          await assertSchemaDeletable(db, group, schema, where);
          await ccompatStore.markDeleted(
            db,
            group,
            schema,
            live.map((version) => version.row.versionid),
            mode.now,
          );
          return live.map((version) => version.version);
        }
        if (live.length > 0) throw new CcompatError(CcompatCode.subjectNotSoftDeleted, `${where} must be soft-deleted before it is deleted permanently`);
        await assertSchemaDeletable(db, group, schema, where);
        await store.deleteSchema(db, group, schema);
        return found.versions.map((version) => version.version);
      }),
    );
  }

  // ---- internals ---------------------------------------------------------------------------

  async #target(db: Db, subject: string): Promise<SubjectTarget | undefined> {
    const natsSubject = routeSubjectOf(subject);
    const message = natsSubject === undefined ? undefined : await store.messageBySubject(db, natsSubject);
    const reference = message === undefined || message.dataschemaxid === null ? undefined : matchSchemaXid(message.dataschemaxid);
    return subjectTarget(subject, () => (reference === undefined ? undefined : { group: reference.group, schema: reference.schema }));
  }

  async #numberedVersions(db: Db, group: string, schema: string): Promise<NumberedVersion[]> {
    const deleted = await ccompatStore.deletedVersionIds(db, group, schema);
    const numbered: NumberedVersion[] = [];
    for (const row of await store.listVersions(db, group, schema)) {
      const version = versionNumberOf(row.versionid);
      // Only Avro versions have an id a Confluent client can use; a catalogue schema of another format is no subject here.
      if (version !== undefined && row.numericid !== null)
        numbered.push({ row: { ...row, numericid: row.numericid }, version, deleted: deleted.has(row.versionid) });
    }
    return numbered.sort((a, b) => a.version - b.version);
  }

  /** The subject with its versions; 40401 when its schema does not exist or (unless `deleted`) every version is soft-deleted. */
  async #requireSubject(db: Db, subject: string, deleted: boolean): Promise<Subject> {
    const target = await this.#target(db, subject);
    const meta = target === undefined ? undefined : await getMeta(db, target.group, target.schema);
    if (target === undefined || meta === undefined) throw subjectNotFound(subject);
    const versions = await this.#numberedVersions(db, target.group, target.schema);
    if (!versions.some((version) => deleted || !version.deleted)) throw subjectNotFound(subject);
    return { name: subject, target, meta, versions };
  }

  /** The version a selector names: `latest` is the highest number not soft-deleted; 40402 when there is none. */
  #select(found: Subject, selector: VersionSelector, deleted: boolean): NumberedVersion {
    const visible = found.versions.filter((version) => deleted || !version.deleted);
    const version =
      selector.kind === 'latest'
        ? visible.filter((candidate) => !candidate.deleted).at(-1)
        : visible.find((candidate) => candidate.version === selector.version);
    if (version === undefined) {
      throw new CcompatError(CcompatCode.versionNotFound, `subject "${found.name}" has no version ${selector.kind === 'latest' ? 'left' : selector.version}`);
    }
    return version;
  }
}

function invalidSubject(subject: string): CcompatError {
  return new CcompatError(
    CcompatCode.invalidSubject,
    `subject "${subject}" is no route's "<NATS subject>-value" and is not a valid registry id (1-128 of A-Z a-z 0-9 . _ ~ : @ -, starting with a letter, digit or _)`,
  );
}

/** A new subject's schema id must not differ from another schema's in the group only by case (ids are unique regardless of case). */
async function assertNoCaseTwin(db: Db, target: SubjectTarget, subject: string): Promise<void> {
  const twin = (await store.listSchemaMetas(db, target.group)).find(
    (meta) => meta.schemaid !== target.schema && meta.schemaid.toLowerCase() === target.schema.toLowerCase(),
  );
  if (twin !== undefined)
    throw new CcompatError(CcompatCode.invalidSubject, `subject "${subject}" differs from the existing subject "${twin.schemaid}" only by case`);
}

export { CcompatService };
export type { CcompatVersion, RegistryWrite };
