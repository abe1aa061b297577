import { checkEpoch, checkId, COMMON_ATTRIBUTES, mergePatch, nextCommon, READ_ONLY, rejectUnknown, requireObject, type WriteMode } from './attributes.ts';
import { assertId, findSibling } from './ids.ts';
import * as store from './store.ts';
import type { Attributes, SchemaGroupRow } from './types.ts';

const SCHEMA_GROUP_ATTRIBUTES = ['schemagroupid', 'schemas', ...COMMON_ATTRIBUTES] as const;

type GroupRules = { readonly allowed: readonly string[]; readonly readOnly: readonly string[]; readonly idName: string; readonly id: string };

/** A group's stored name, description and labels, as a PATCH body merges over them. */
function commonAttributes(row: { readonly name: string | null; readonly description: string | null; readonly labels: Attributes['labels'] }): Attributes {
  return { name: row.name ?? undefined, description: row.description ?? undefined, labels: row.labels };
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
  rejectUnknown(body, rules.allowed, where, rules.readOnly);
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
  });
  const row: SchemaGroupRow = { schemagroupid: group, ...nextCommon(body, existing, mode, where) };
  await store.saveSchemaGroup(db, row);
  return { row, created: existing === undefined };
}

export { commonAttributes, groupBody, putSchemaGroup };
