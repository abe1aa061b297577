import type { Db } from './store.ts';

// The ccompat API's own rows (infra/migrations/00005_ccompat): compatibility levels that have no
// schema to live on yet, and soft-delete marks. One statement per function, as in store.ts.

/** The scope of the global level in ccompat_config; a subject's own row uses the subject. */
const GLOBAL_SCOPE = '';

async function configLevel(sql: Db, scope: string): Promise<string | undefined> {
  const [row]: [{ compatibility: string }?] = await sql`select compatibility from ccompat_config where scope = ${scope}`;
  return row?.compatibility;
}

async function saveConfigLevel(sql: Db, scope: string, compatibility: string): Promise<void> {
  await sql`
    insert into ccompat_config (scope, compatibility) values (${scope}, ${compatibility})
    on conflict (scope) do update set compatibility = excluded.compatibility`;
}

async function deleteConfigLevel(sql: Db, scope: string): Promise<boolean> {
  return (await sql`delete from ccompat_config where scope = ${scope} returning 1`).length > 0;
}

/** The version ids of one schema that are soft-deleted. */
async function deletedVersionIds(sql: Db, group: string, schema: string): Promise<Set<string>> {
  const rows = await sql<{ versionid: string }[]>`
    select versionid from ccompat_deleted_versions where schemagroupid = ${group} and schemaid = ${schema}`;
  return new Set(rows.map((row) => row.versionid));
}

async function isVersionDeleted(sql: Db, group: string, schema: string, version: string): Promise<boolean> {
  const rows = await sql`
    select 1 from ccompat_deleted_versions where schemagroupid = ${group} and schemaid = ${schema} and versionid = ${version}`;
  return rows.length > 0;
}

async function markDeleted(sql: Db, group: string, schema: string, versions: readonly string[], at: Date): Promise<void> {
  for (const version of versions) {
    await sql`
      insert into ccompat_deleted_versions (schemagroupid, schemaid, versionid, deletedat)
      values (${group}, ${schema}, ${version}, ${at}) on conflict do nothing`;
  }
}

async function unmarkDeleted(sql: Db, group: string, schema: string, version: string): Promise<void> {
  await sql`delete from ccompat_deleted_versions where schemagroupid = ${group} and schemaid = ${schema} and versionid = ${version}`;
}

export { configLevel, deleteConfigLevel, deletedVersionIds, GLOBAL_SCOPE, isVersionDeleted, markDeleted, saveConfigLevel, unmarkDeleted };
