import type { Sql } from '../../shared/postgres/index.ts';

/** When a registry file was last seeded into this database, and with which content (SHA-256). */
type SeedRecord = { readonly sha256: string; readonly seededAt: Date };

// The launcher's own bookkeeping, kept in the database it seeds so that a new or re-created
// database is seeded afresh. Created here rather than by a migration in infra/migrations: only
// `npm start` seeds from files, so deployed registries never need the table.
async function ensureSeedTable(sql: Sql): Promise<void> {
  await sql`
    create table if not exists local_registry_seeds (
      file text primary key,
      sha256 text not null,
      seeded_at timestamptz not null default now()
    )`;
}

async function seedRecords(sql: Sql): Promise<Map<string, SeedRecord>> {
  const rows = await sql<{ file: string; sha256: string; seeded_at: Date }[]>`select file, sha256, seeded_at from local_registry_seeds`;
  return new Map(rows.map((row) => [row.file, { sha256: row.sha256, seededAt: row.seeded_at }]));
}

async function recordSeed(sql: Sql, file: string, sha256: string): Promise<void> {
  await sql`
    insert into local_registry_seeds (file, sha256) values (${file}, ${sha256})
    on conflict (file) do update set sha256 = excluded.sha256, seeded_at = now()`;
}

export { ensureSeedTable, recordSeed, seedRecords };
export type { SeedRecord };
