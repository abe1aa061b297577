import type { EndpointRow, MessageGroupRow, MessageRow, RegistryRow, SchemaGroupRow, SchemaMetaRow, SchemaVersionRow } from './types.ts';
import { schemaXid, versionXid } from '../names/index.ts';

type View = Record<string, unknown>;

function common(row: {
  epoch: number;
  name: string | null;
  description: string | null;
  labels: Readonly<Record<string, string>>;
  createdat: Date;
  modifiedat: Date;
}): View {
  return {
    epoch: row.epoch,
    ...(row.name === null ? {} : { name: row.name }),
    ...(row.description === null ? {} : { description: row.description }),
    ...(Object.keys(row.labels).length === 0 ? {} : { labels: row.labels }),
    createdat: row.createdat.toISOString(),
    modifiedat: row.modifiedat.toISOString(),
  };
}

/** `base` is the registry's absolute URL without a trailing slash; empty for document views. */
function link(base: string, xid: string): View {
  return base === '' ? { xid } : { self: `${base}${xid}`, xid };
}

function registryView(row: RegistryRow, base: string, specversion: string): View {
  return { specversion, registryid: row.registryid, ...(base === '' ? {} : { self: `${base}/` }), xid: '/', ...common(row), ...row.attributes };
}

// Attributes kept as written come after the server's; writes never store a server attribute's
// name among them (attributes.ts), so neither hides the other.

function schemaGroupView(row: SchemaGroupRow, base: string): View {
  return { schemagroupid: row.schemagroupid, ...link(base, `/schemagroups/${row.schemagroupid}`), ...common(row), ...row.attributes };
}

function messageGroupView(row: MessageGroupRow, base: string): View {
  return {
    messagegroupid: row.messagegroupid,
    ...link(base, `/messagegroups/${row.messagegroupid}`),
    ...common(row),
    ...(row.envelope === null ? {} : { envelope: row.envelope }),
    ...(row.protocol === null ? {} : { protocol: row.protocol }),
    ...row.attributes,
  };
}

function endpointView(row: EndpointRow, base: string): View {
  return { endpointid: row.endpointid, ...link(base, `/endpoints/${row.endpointid}`), ...common(row), ...row.attributes };
}

function versionView(row: SchemaVersionRow, meta: SchemaMetaRow, base: string): View {
  return {
    schemaid: row.schemaid,
    versionid: row.versionid,
    ...link(base, versionXid(row.schemagroupid, row.schemaid, row.versionid)),
    ...common(row),
    isdefault: meta.defaultversionid === row.versionid,
    format: row.format,
    ...(row.contenttype === null ? {} : { contenttype: row.contenttype }),
    ancestorid: row.ancestorid,
    ...(row.fingerprint === null ? {} : { fingerprint: row.fingerprint }),
    ...(Object.keys(row.fingerprints).length === 0 ? {} : { fingerprints: row.fingerprints }),
    ...(row.numericid === null ? {} : { numericid: row.numericid }),
    ...row.attributes,
  };
}

function metaView(meta: SchemaMetaRow, base: string): View {
  const xid = schemaXid(meta.schemagroupid, meta.schemaid);
  return {
    schemaid: meta.schemaid,
    ...link(base, `${xid}/meta`),
    epoch: meta.meta_epoch,
    createdat: meta.meta_createdat.toISOString(),
    modifiedat: meta.meta_modifiedat.toISOString(),
    compatibility: meta.compatibility,
    defaultversionid: meta.defaultversionid,
    ...(base === '' ? {} : { defaultversionurl: `${base}${xid}/versions/${meta.defaultversionid}` }),
    defaultversionsticky: meta.defaultversionsticky,
  };
}

/**
 * A schema resource's `$details`: the default version's attributes plus the resource's links.
 * Resource-level attributes a document wrote beside its versions (which may differ from the
 * default version's, e.g. a description of the schema rather than of one version) are shown as
 * written, over the default version's.
 */
function schemaView(meta: SchemaMetaRow, versions: readonly SchemaVersionRow[], base: string): View {
  const xid = schemaXid(meta.schemagroupid, meta.schemaid);
  const current = versions.find((version) => version.versionid === meta.defaultversionid)!;
  return {
    ...versionView(current, meta, base),
    ...meta.attributes,
    ...link(base, xid),
    ...(base === '' ? {} : { metaurl: `${base}${xid}/meta`, versionsurl: `${base}${xid}/versions` }),
    versionscount: versions.length,
  };
}

/** A message definition as written: its attributes are kept whole, routed or not. */
function messageView(row: MessageRow, base: string): View {
  return {
    messageid: row.messageid,
    ...link(base, `/messagegroups/${row.messagegroupid}/messages/${row.messageid}`),
    ...common(row),
    ...row.attributes,
  };
}

export { endpointView, messageGroupView, messageView, metaView, registryView, schemaGroupView, schemaView, versionView };
export type { View };
