import { isDeepStrictEqual } from 'node:util';
import type { Sql } from '../postgres/index.ts';
import { READ_ONLY, requireObject, type WriteMode } from './attributes.ts';
import { CcompatService } from './ccompatService.ts';
import { isObject } from '../json/index.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import { classifyMessages, type ProvisionSink, putMessage, putMessageGroup, type StreamFilters } from './messages.ts';
import { putEndpoint, putSchemaGroup } from './groups.ts';
import { SPEC_VERSION } from './model.ts';
import { assertSchemaDeletable } from './readers.ts';
import { checkRegistryDocument, putRegistryAttributes, registryExtras } from './root.ts';
import {
  checkNewVersion,
  extensionAttributes,
  getMeta,
  postVersion,
  putMeta,
  putVersion,
  removeVersion,
  requireMeta,
  type VersionCheck,
  type VersionInput,
  versionInputFromDetails,
} from './schemas.ts';
import * as store from './store.ts';
import type { Routing } from './routability.ts';
import type { Attributes, GroupKind, MessageRow } from './types.ts';
import { endpointView, messageGroupView, messageView, metaView, registryView, schemaGroupView, schemaView, versionView, type View } from './views.ts';

const GROUP_KINDS = ['schemagroups', 'messagegroups', 'endpoints'] as const;
/** At a schema's resource level, what is never a resource-level attribute of its own: the nested entities, ids and server attributes. */
const NOT_RESOURCE_LEVEL = ['versions', 'meta', 'schema', 'schemaid', 'versionid', 'ancestorid', 'epoch', 'createdat', 'modifiedat'] as const;

// Registry writes take this transaction-scoped advisory lock, so they apply one after another:
// the checks a write makes (no route reads what a delete removes, ids unique regardless of case)
// hold until it commits. Writes are rare; reads never take it. Any constant works as long as
// every writer uses the same one (the migration runner uses another).
const REGISTRY_WRITE_LOCK = 7_340_018;

type RegistryServiceOptions = {
  readonly sql: Sql;
  readonly filters: StreamFilters;
  readonly provisionSink: ProvisionSink;
  readonly now?: () => Date;
};

/** What to embed in a read: `*` for everything, or collection names (`schemas`, `versions`, ...). */
type Inline = ReadonlySet<string>;

function notFound(xid: string): XRegistryError {
  return new XRegistryError(XRegistryErrorType.notFound, `${xid} not found`, { subject: xid });
}

/** A version's document inlined as `schema`; nothing for a version without one inline (only `schemaurl`, `schemabase64`). */
function inlineDocument(document: unknown): View {
  return document === null || document === undefined ? {} : { schema: document };
}

function wants(inline: Inline, collection: string): boolean {
  return inline.has('*') || inline.has(collection);
}

/**
 * The registry's operations with xRegistry semantics. Each write runs in one transaction:
 * either all of a request (or an import) applies, or none of it.
 */
class RegistryService {
  readonly #sql: Sql;
  readonly #filters: StreamFilters;
  readonly #provisionSink: ProvisionSink;
  readonly #now: () => Date;

  constructor(options: RegistryServiceOptions) {
    this.#sql = options.sql;
    this.#filters = options.filters;
    this.#provisionSink = options.provisionSink;
    this.#now = options.now ?? (() => new Date());
  }

  #write<T>(work: (db: store.Db, mode: WriteMode) => Promise<T>, restore = false): Promise<T> {
    return this.#sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${REGISTRY_WRITE_LOCK})`;
      return work(tx, { restore, now: this.#now() });
    }) as Promise<T>;
  }

  // ---- reads -------------------------------------------------------------------------------

  async root(base: string, inline: Inline): Promise<View> {
    const db = this.#sql;
    const view = registryView(await store.getRegistry(db), base, SPEC_VERSION);
    for (const kind of GROUP_KINDS) {
      const groups = await this.groups(kind, base, inline);
      if (base !== '') view[`${kind}url`] = `${base}/${kind}`;
      view[`${kind}count`] = Object.keys(groups).length;
      if (wants(inline, kind)) view[kind] = groups;
    }
    return view;
  }

  async groups(kind: GroupKind, base: string, inline: Inline): Promise<Record<string, View>> {
    const ids =
      kind === 'schemagroups'
        ? (await store.listSchemaGroups(this.#sql)).map((row) => row.schemagroupid)
        : kind === 'messagegroups'
          ? (await store.listMessageGroups(this.#sql)).map((row) => row.messagegroupid)
          : (await store.listEndpoints(this.#sql)).map((row) => row.endpointid);
    const out: Record<string, View> = {};
    for (const id of ids) out[id] = await this.group(kind, id, base, inline);
    return out;
  }

  async group(kind: GroupKind, id: string, base: string, inline: Inline): Promise<View> {
    if (kind === 'endpoints') {
      const row = (await store.listEndpoints(this.#sql)).find((candidate) => candidate.endpointid === id);
      if (row === undefined) throw notFound(`/endpoints/${id}`);
      return endpointView(row, base);
    }
    if (kind === 'schemagroups') {
      const row = (await store.listSchemaGroups(this.#sql)).find((candidate) => candidate.schemagroupid === id);
      if (row === undefined) throw notFound(`/schemagroups/${id}`);
      const view = schemaGroupView(row, base);
      const schemas = await this.schemas(id, base, inline);
      if (base !== '') view.schemasurl = `${base}/schemagroups/${id}/schemas`;
      view.schemascount = Object.keys(schemas).length;
      if (wants(inline, 'schemas')) view.schemas = schemas;
      return view;
    }
    const row = (await store.listMessageGroups(this.#sql)).find((candidate) => candidate.messagegroupid === id);
    if (row === undefined) throw notFound(`/messagegroups/${id}`);
    const view = messageGroupView(row, base);
    const messages = await store.listMessages(this.#sql, id);
    if (base !== '') view.messagesurl = `${base}/messagegroups/${id}/messages`;
    view.messagescount = messages.length;
    if (wants(inline, 'messages')) view.messages = Object.fromEntries(messages.map((m) => [m.messageid, messageView(m, base)]));
    return view;
  }

  async schemas(group: string, base: string, inline: Inline): Promise<Record<string, View>> {
    const out: Record<string, View> = {};
    for (const meta of await store.listSchemaMetas(this.#sql, group)) out[meta.schemaid] = await this.schemaDetails(group, meta.schemaid, base, inline);
    return out;
  }

  async schemaDetails(group: string, schema: string, base: string, inline: Inline): Promise<View> {
    const meta = await getMeta(this.#sql, group, schema);
    if (meta === undefined) throw notFound(`/schemagroups/${group}/schemas/${schema}`);
    const versions = await store.listVersions(this.#sql, group, schema);
    const view = schemaView(meta, versions, base);
    if (wants(inline, 'meta')) view.meta = metaView(meta, base);
    if (wants(inline, 'versions')) {
      view.versions = Object.fromEntries(
        versions.map((version) => [
          version.versionid,
          { ...versionView(version, meta, base), ...(wants(inline, 'schema') ? inlineDocument(version.document) : {}) },
        ]),
      );
    }
    if (wants(inline, 'schema')) Object.assign(view, inlineDocument(versions.find((version) => version.versionid === meta.defaultversionid)!.document));
    return view;
  }

  async versions(group: string, schema: string, base: string, inline: Inline): Promise<Record<string, View>> {
    const meta = await requireMeta(this.#sql, group, schema);
    const versions = await store.listVersions(this.#sql, group, schema);
    return Object.fromEntries(
      versions.map((version) => [
        version.versionid,
        { ...versionView(version, meta, base), ...(wants(inline, 'schema') ? inlineDocument(version.document) : {}) },
      ]),
    );
  }

  /** A version (the default when `versionId` is undefined): its attributes and its document. */
  async version(group: string, schema: string, versionId: string | undefined, base: string): Promise<{ view: View; document: unknown }> {
    const meta = await requireMeta(this.#sql, group, schema);
    const id = versionId ?? meta.defaultversionid;
    const version = (await store.listVersions(this.#sql, group, schema)).find((row) => row.versionid === id);
    if (version === undefined) throw notFound(`/schemagroups/${group}/schemas/${schema}/versions/${id}`);
    return { view: versionView(version, meta, base), document: version.document };
  }

  async meta(group: string, schema: string, base: string): Promise<View> {
    return metaView(await requireMeta(this.#sql, group, schema), base);
  }

  async messages(group: string, base: string): Promise<Record<string, View>> {
    if (!(await store.listMessageGroups(this.#sql)).some((row) => row.messagegroupid === group)) throw notFound(`/messagegroups/${group}`);
    return Object.fromEntries((await store.listMessages(this.#sql, group)).map((row) => [row.messageid, messageView(row, base)]));
  }

  async message(group: string, message: string, base: string): Promise<View> {
    const row = (await store.listMessages(this.#sql, group)).find((candidate) => candidate.messageid === message);
    if (row === undefined) throw notFound(`/messagegroups/${group}/messages/${message}`);
    return messageView(row, base);
  }

  /**
   * What `postVersion` would decide about `document` as the schema's next version, storing
   * nothing: the console's compatibility check, by the registry's own code.
   */
  async checkVersion(group: string, schema: string, document: unknown): Promise<VersionCheck> {
    return checkNewVersion(this.#sql, group, schema, document);
  }

  /** The same registry seen as a Confluent Schema Registry; its writes take this service's write lock. */
  ccompat(): CcompatService {
    return new CcompatService({ sql: this.#sql, write: (work) => this.#write(work) });
  }

  /** Every message definition, and whether the plane routes it or keeps it as catalogue (with why). */
  async routing(): Promise<{ message: MessageRow; routing: Routing }[]> {
    return classifyMessages(this.#sql);
  }

  /** The whole registry as one document: `GET /export`, the input of `import`. */
  async export(): Promise<View> {
    return this.root('', new Set(['*']));
  }

  // ---- writes ------------------------------------------------------------------------------

  putGroup(kind: GroupKind, id: string, body: unknown, patch: boolean): Promise<{ created: boolean }> {
    return this.#write(async (db, mode) => ({ created: await this.#applyGroup(db, kind, id, body, patch, mode) }));
  }

  /** Refused (409) for a schema group holding a schema a route reads; deleting routes is always allowed. */
  deleteGroup(kind: GroupKind, id: string): Promise<void> {
    return this.#write(async (db) => {
      if (kind === 'schemagroups') await assertSchemaDeletable(db, id, undefined, `/${kind}/${id}`);
      if (!(await store.deleteGroup(db, kind, id))) throw notFound(`/${kind}/${id}`);
    });
  }

  putSchema(group: string, schema: string, input: VersionInput, nested: Attributes | undefined): Promise<{ created: boolean }> {
    return this.#write(async (db, mode) => {
      const existed = (await getMeta(db, group, schema)) !== undefined;
      if (nested !== undefined) await this.#applySchemaDetails(db, group, schema, nested, mode);
      else {
        const current = await getMeta(db, group, schema);
        await putVersion(db, group, schema, current?.defaultversionid ?? '1', input, mode);
      }
      return { created: !existed };
    });
  }

  postVersion(group: string, schema: string, input: VersionInput): Promise<string> {
    return this.#write(async (db, mode) => (await postVersion(db, group, schema, input, mode)).versionid);
  }

  putVersion(group: string, schema: string, version: string, input: VersionInput): Promise<{ created: boolean }> {
    return this.#write(async (db, mode) => ({ created: (await putVersion(db, group, schema, version, input, mode)).created }));
  }

  deleteVersion(group: string, schema: string, version: string, epoch: number | undefined): Promise<void> {
    return this.#write((db, mode) => removeVersion(db, group, schema, version, epoch, mode.now));
  }

  /** Refused (409) while a route reads the schema or one of its versions. */
  deleteSchema(group: string, schema: string): Promise<void> {
    return this.#write(async (db) => {
      const where = `/schemagroups/${group}/schemas/${schema}`;
      if ((await getMeta(db, group, schema)) === undefined) throw notFound(where);
      await assertSchemaDeletable(db, group, schema, where);
      await store.deleteSchema(db, group, schema);
    });
  }

  putMeta(group: string, schema: string, body: unknown, patch: boolean): Promise<void> {
    return this.#write(async (db, mode) => void (await putMeta(db, group, schema, body, { patch }, mode)));
  }

  putMessage(group: string, message: string, body: unknown, patch: boolean): Promise<{ created: boolean }> {
    return this.#write(async (db, mode) => ({
      created: (await putMessage(db, group, message, body, { patch, filters: this.#filters, provisionSink: this.#provisionSink }, mode)).created,
    }));
  }

  deleteMessage(group: string, message: string): Promise<void> {
    return this.#write(async (db) => {
      if (!(await store.deleteMessage(db, group, message))) throw notFound(`/messagegroups/${group}/messages/${message}`);
    });
  }

  /**
   * Applies a registry document (an export, or one written by hand) in one transaction. With
   * `restore`, epochs and timestamps come from the document, so importing an export into an
   * empty registry recreates it exactly.
   */
  import(document: unknown, restore = true): Promise<void> {
    return this.#write(async (db, mode) => {
      const body = requireObject(document, 'registry document');
      checkRegistryDocument(body, await store.getRegistry(db), mode);
      if (mode.restore) await this.#restoreRoot(db, body, mode);
      await this.#applyGroups(db, body, false, mode);
    }, restore);
  }

  /**
   * `PUT /` and `PATCH /`: the registry's own attributes (replaced, or merged for PATCH) and the
   * groups the document nests, in one transaction. Unlike `import` this is an edit, not a
   * restore: epochs are checked and advanced, and `registryid` cannot change.
   */
  putRoot(document: unknown, patch: boolean): Promise<void> {
    return this.#write(async (db, mode) => {
      const body = requireObject(document, '/');
      const current = await store.getRegistry(db);
      checkRegistryDocument(body, current, mode);
      await putRegistryAttributes(db, body, current, patch, mode);
      await this.#applyGroups(db, body, patch, mode);
    });
  }

  // ---- internals ---------------------------------------------------------------------------

  async #applyGroups(db: store.Db, body: Attributes, patch: boolean, mode: WriteMode): Promise<void> {
    for (const kind of GROUP_KINDS) {
      const groups = body[kind];
      if (groups === undefined) continue;
      if (!isObject(groups)) throw new XRegistryError(XRegistryErrorType.invalidData, `"${kind}" must be a map of id to group`);
      for (const [id, group] of Object.entries(groups)) await this.#applyGroup(db, kind, id, group, patch, mode);
    }
  }

  async #restoreRoot(db: store.Db, body: Attributes, mode: WriteMode): Promise<void> {
    const current = await store.getRegistry(db);
    const date = (value: unknown, fallback: Date): Date => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : fallback);
    await store.saveRegistry(db, {
      registryid: typeof body.registryid === 'string' ? body.registryid : current.registryid,
      epoch: typeof body.epoch === 'number' ? body.epoch : current.epoch,
      name: typeof body.name === 'string' ? body.name : null,
      description: typeof body.description === 'string' ? body.description : null,
      labels: isObject(body.labels) ? (body.labels as Record<string, string>) : {},
      createdat: date(body.createdat, current.createdat),
      modifiedat: date(body.modifiedat, mode.now),
      attributes: registryExtras(body),
    });
  }

  /** A group with whatever it nests; schemas before messages so references resolve. */
  async #applyGroup(db: store.Db, kind: GroupKind, id: string, raw: unknown, patch: boolean, mode: WriteMode): Promise<boolean> {
    const body = requireObject(raw, `/${kind}/${id}`);
    if (kind === 'endpoints') return (await putEndpoint(db, id, body, { patch }, mode)).created;
    if (kind === 'schemagroups') {
      const { created } = await putSchemaGroup(db, id, body, { patch }, mode);
      const schemas = body.schemas;
      if (schemas !== undefined) {
        if (!isObject(schemas)) throw new XRegistryError(XRegistryErrorType.invalidData, `/schemagroups/${id}: "schemas" must be a map`);
        for (const [schemaId, details] of Object.entries(schemas)) await this.#applySchemaDetails(db, id, schemaId, requireObject(details, schemaId), mode);
      }
      return created;
    }
    const { created } = await putMessageGroup(db, id, body, { patch }, mode);
    const messages = body.messages;
    if (messages !== undefined) {
      if (!isObject(messages)) throw new XRegistryError(XRegistryErrorType.invalidData, `/messagegroups/${id}: "messages" must be a map`);
      for (const [messageId, message] of Object.entries(messages)) {
        await putMessage(db, id, messageId, message, { patch: false, filters: this.#filters, provisionSink: this.#provisionSink }, mode);
      }
    }
    return created;
  }

  /**
   * A schema written with its versions (oldest first) and meta, or as its default version's
   * details. Beside `versions`, the resource level's attributes are kept where they differ from
   * the default version's (rc4 serializes the default version's attributes there, yet documents
   * describe the schema there too), so an export shows them as written.
   */
  async #applySchemaDetails(db: store.Db, group: string, schema: string, body: Attributes, mode: WriteMode): Promise<void> {
    const where = `/schemagroups/${group}/schemas/${schema}`;
    const versions = body.versions;
    if (versions !== undefined) {
      if (!isObject(versions)) throw new XRegistryError(XRegistryErrorType.invalidData, `${group}/${schema}: "versions" must be a map`);
      const ordered = Object.entries(versions).sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b));
      for (const [versionId, version] of ordered) await putVersion(db, group, schema, versionId, versionInputFromDetails(version, versionId), mode);
    } else if ('schema' in body) {
      // The resource level's own links and counts are not the default version's attributes.
      const { meta: _meta, versionscount: _count, versionsurl: _versions, metaurl: _metaurl, ...rest } = body;
      const current = await getMeta(db, group, schema);
      await putVersion(
        db,
        group,
        schema,
        typeof rest.versionid === 'string' ? rest.versionid : (current?.defaultversionid ?? '1'),
        versionInputFromDetails(rest, schema),
        mode,
      );
    }
    if (body.meta !== undefined) await putMeta(db, group, schema, body.meta, { patch: true }, mode);
    if (versions !== undefined) await this.#keepResourceLevel(db, group, schema, body, mode, where);
  }

  async #keepResourceLevel(db: store.Db, group: string, schema: string, body: Attributes, mode: WriteMode, where: string): Promise<void> {
    const meta = await getMeta(db, group, schema);
    if (meta === undefined) return;
    const current = (await store.listVersions(db, group, schema)).find((version) => version.versionid === meta.defaultversionid)!;
    const shown = versionView(current, meta, '');
    const written = extensionAttributes(body, NOT_RESOURCE_LEVEL, READ_ONLY.schema, where);
    const own = Object.fromEntries(Object.entries(written).filter(([key, value]) => !isDeepStrictEqual(shown[key], value)));
    const attributes = Object.keys(own).length === 0 ? null : own;
    if (!isDeepStrictEqual(attributes, meta.attributes)) {
      await store.saveSchemaMeta(db, { ...meta, attributes, ...(mode.restore ? {} : { meta_modifiedat: mode.now }) });
    }
  }
}

export { RegistryService };
export type { Inline, RegistryServiceOptions };
