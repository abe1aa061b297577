import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from './client.ts';

type Migration = { readonly id: number; readonly name: string; readonly path: string };

const FOLDER = /^(\d{5})_([a-z0-9_]+)$/;
// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK_KEY = 7_340_017;

async function listMigrations(directory: string): Promise<Migration[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const migrations = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const match = FOLDER.exec(entry.name);
      if (!match) throw new Error(`migration folder "${entry.name}" must be named 00001_name`);
      return { id: Number(match[1]), name: entry.name, path: join(directory, entry.name, 'index.sql') };
    })
    .sort((a, b) => a.id - b.id);
  migrations.forEach((migration, index) => {
    if (migration.id !== index + 1) throw new Error(`migration numbering has a gap before ${migration.name}`);
  });
  return migrations;
}

/**
 * Applies pending forward-only migrations in one transaction. An advisory lock makes concurrent
 * starts (several replicas, a test and a launcher) wait for each other instead of racing.
 */
async function migrate(sql: Sql, directory: string): Promise<string[]> {
  const migrations = await listMigrations(directory);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`
      create table if not exists schema_migrations (
        id integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`;
    const applied = new Set((await tx<{ id: number }[]>`select id from schema_migrations`).map((row) => row.id));
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      await tx.unsafe(await readFile(migration.path, 'utf8'));
      await tx`insert into schema_migrations (id, name) values (${migration.id}, ${migration.name})`;
      done.push(migration.name);
    }
    return done;
  });
}

export { migrate, listMigrations };
