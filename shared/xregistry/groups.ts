import { checkEpoch, checkId, COMMON_ATTRIBUTES, mergePatch, nextCommon, READ_ONLY, rejectUnknown, requireObject, type WriteMode } from './attributes.ts';
import { assertId, assertUniqueIgnoringCase } from './ids.ts';
import * as store from './store.ts';
import type { SchemaGroupRow } from './types.ts';

const SCHEMA_GROUP_ATTRIBUTES = ['schemagroupid', 'schemas', ...COMMON_ATTRIBUTES] as const;

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
  const groups = await store.listSchemaGroups(db);
  const existing = groups.find((row) => row.schemagroupid === group);
  if (existing === undefined)
    assertUniqueIgnoringCase(
      groups.map((row) => row.schemagroupid),
      group,
      where,
    );
  let body = requireObject(raw, where);
  // A restore carries the epochs to keep; they are not preconditions.
  if (!mode.restore) checkEpoch(body, existing?.epoch, where);
  if (options.patch && existing !== undefined) {
    body = mergePatch({ name: existing.name ?? undefined, description: existing.description ?? undefined, labels: existing.labels }, body);
  }
  rejectUnknown(body, SCHEMA_GROUP_ATTRIBUTES, where, READ_ONLY.schemagroup);
  checkId(body, 'schemagroupid', group, where);
  const row: SchemaGroupRow = { schemagroupid: group, ...nextCommon(body, existing, mode, where) };
  await store.saveSchemaGroup(db, row);
  return { row, created: existing === undefined };
}

export { putSchemaGroup };
