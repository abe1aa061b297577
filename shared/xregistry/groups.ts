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
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import { assertId, findSibling } from './ids.ts';
import * as store from './store.ts';
import type { Attributes, EndpointRow, Extensions, SchemaGroupRow } from './types.ts';

const SCHEMA_GROUP_ATTRIBUTES = ['schemagroupid', 'schemas', ...COMMON_ATTRIBUTES] as const;
const ENDPOINT_ATTRIBUTES = ['endpointid', ...COMMON_ATTRIBUTES] as const;

type GroupRules = {
  readonly allowed: readonly string[];
  readonly readOnly: readonly string[];
  readonly idName: string;
  readonly id: string;
  /** The group model has `"*"`: attributes beyond `allowed` are extensions, not unknown. */
  readonly extensible?: boolean;
};

/** A group's stored name, description, labels and extensions, as a PATCH body merges over them. */
function commonAttributes(row: {
  readonly name: string | null;
  readonly description: string | null;
  readonly labels: Attributes['labels'];
  readonly attributes?: Extensions;
}): Attributes {
  return { ...row.attributes, name: row.name ?? undefined, description: row.description ?? undefined, labels: row.labels };
}

/**
 * A group's PUT or PATCH body as it is stored: an object whose epoch matches the stored one (a
 * restore carries the epochs to keep, so they are not preconditions), merged over the stored
 * attributes on PATCH, with no unknown or read-only attribute and the id the path names.
 */
function groupBody(
  raw: unknown,
  stored: { readonly epoch: number; readonly attributes: Attributes } | undefined,
  options: { patch: boolean },
  mode: WriteMode,
  where: string,
  rules: GroupRules,
): Attributes {
  let body = requireObject(raw, where);
  if (!mode.restore) checkEpoch(body, stored?.epoch, where);
  if (options.patch && stored !== undefined) body = mergePatch(stored.attributes, body);
  if (!rules.extensible) rejectUnknown(body, rules.allowed, where, rules.readOnly);
  checkId(body, rules.idName, rules.id, where);
  return body;
}

/** PUT/PATCH of a schema group's own attributes; nested `schemas` are the caller's to apply. */
async function putSchemaGroup(
  db: store.Db,
  group: string,
  raw: unknown,
  options: { patch: boolean },
  mode: WriteMode,
): Promise<{ row: SchemaGroupRow; created: boolean }> {
  assertId(group, 'schemagroupid');
  const where = `/schemagroups/${group}`;
  const existing = findSibling(await store.listSchemaGroups(db), (row) => row.schemagroupid, group, where);
  const stored = existing && { epoch: existing.epoch, attributes: commonAttributes(existing) };
  const body = groupBody(raw, stored, options, mode, where, {
    allowed: SCHEMA_GROUP_ATTRIBUTES,
    readOnly: READ_ONLY.schemagroup,
    idName: 'schemagroupid',
    id: group,
    extensible: true,
  });
  const attributes = extensionAttributes(body, SCHEMA_GROUP_ATTRIBUTES, READ_ONLY.schemagroup, where);
  const row: SchemaGroupRow = { schemagroupid: group, ...nextCommon(body, existing, mode, where), attributes };
  await store.saveSchemaGroup(db, row);
  return { row, created: existing === undefined };
}

/**
 * PUT/PATCH of an endpoint: catalogue only, every attribute kept as written. rc4 lets endpoints
 * hold message definitions of their own; this registry keeps messages in message groups only.
 */
async function putEndpoint(db: store.Db, endpoint: string, raw: unknown, options: { patch: boolean }, mode: WriteMode): Promise<{ created: boolean }> {
  assertId(endpoint, 'endpointid');
  const where = `/endpoints/${endpoint}`;
  const existing = findSibling(await store.listEndpoints(db), (row) => row.endpointid, endpoint, where);
  const stored = existing && { epoch: existing.epoch, attributes: commonAttributes(existing) };
  const body = groupBody(raw, stored, options, mode, where, {
    allowed: ENDPOINT_ATTRIBUTES,
    readOnly: READ_ONLY.endpoint,
    idName: 'endpointid',
    id: endpoint,
    extensible: true,
  });
  if (body.messages !== undefined && body.messages !== null) {
    throw new XRegistryError(
      XRegistryErrorType.invalidData,
      `${where}: messages inside an endpoint are not stored by this registry; define them in a message group and list it in "messagegroups"`,
      { subject: where },
    );
  }
  const row: EndpointRow = {
    endpointid: endpoint,
    ...nextCommon(body, existing, mode, where),
    attributes: extensionAttributes(body, ENDPOINT_ATTRIBUTES, READ_ONLY.endpoint, where),
  };
  await store.saveEndpoint(db, row);
  return { created: existing === undefined };
}

export { commonAttributes, groupBody, putEndpoint, putSchemaGroup };
