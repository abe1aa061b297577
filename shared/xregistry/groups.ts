import { checkEpoch, checkId, mergePatch, nextCommon, rejectUnknown, requireObject, type WriteMode } from './attributes.ts';
import { assertId } from './ids.ts';
import * as store from './store.ts';
import type { SchemaGroupRow } from './types.ts';

/** PUT/PATCH of a schema group's own attributes; nested `schemas` are the caller's to apply. */
async function putSchemaGroup(db: store.Db, group: string, raw: unknown, options: { patch: boolean }, mode: WriteMode): Promise<{ row: SchemaGroupRow; created: boolean }> {
  assertId(group, 'schemagroupid');
  const where = `/schemagroups/${group}`;
  const existing = (await store.listSchemaGroups(db)).find((row) => row.schemagroupid === group);
  let body = requireObject(raw, where);
  // A restore carries the epochs to keep; they are not preconditions.
  if (!mode.restore) checkEpoch(body, existing?.epoch, where);
  if (options.patch && existing !== undefined) {
    body = mergePatch({ name: existing.name ?? undefined, description: existing.description ?? undefined, labels: existing.labels }, body);
  }
  rejectUnknown(body, ['schemagroupid', 'schemas'], where);
  checkId(body, 'schemagroupid', group, where);
  const row: SchemaGroupRow = { schemagroupid: group, ...nextCommon(body, existing, mode, where) };
  await store.saveSchemaGroup(db, row);
  return { row, created: existing === undefined };
}

export { putSchemaGroup };
