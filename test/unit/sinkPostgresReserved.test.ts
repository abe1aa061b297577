import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MIGRATIONS_DIR, ROOT } from '../../cli/paths.ts';
import { parseSinkTarget, PLANE_TABLES } from '../../shared/sinks/index.ts';

/** Every table name a `create table` in `sql` makes (schema-qualified names keep only the table). */
function createdTables(sql: string): string[] {
  const names: string[] = [];
  for (const match of sql.matchAll(/create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?("?[a-z_][a-z0-9_]*"?(?:\."?[a-z_][a-z0-9_]*"?)?)/gi)) {
    names.push(match[1]!.replaceAll('"', '').split('.').at(-1)!.toLowerCase());
  }
  return names;
}

function refusal(table: string): string {
  const parsed = parseSinkTarget({ kind: 'postgres', table });
  assert.equal(parsed.ok, false, `${table} should be refused`);
  return parsed.ok ? '' : parsed.problem;
}

describe('tables a PostgreSQL sink may never name', () => {
  test('PLANE_TABLES lists every table the migrations and the migration runner create', async () => {
    const created = new Set<string>();
    for (const entry of await readdir(MIGRATIONS_DIR, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      for (const name of createdTables(await readFile(join(MIGRATIONS_DIR, entry.name, 'index.sql'), 'utf8'))) created.add(name);
    }
    for (const name of createdTables(await readFile(join(ROOT, 'shared/postgres/migrate.ts'), 'utf8'))) created.add(name);
    // The parser must find the known ones, or this test would pass on an empty scan.
    for (const known of ['schema_migrations', 'xr_messages', 'sink_deliveries']) assert.ok(created.has(known), `scan missed ${known}`);
    const missing = [...created].filter((name) => !PLANE_TABLES.has(name));
    assert.deepEqual(missing, [], 'a migration creates a table PLANE_TABLES (shared/sinks/postgres/reserved.ts) does not list');
  });

  test("system schemas, unqualified catalog names and the plane's own tables are refused by name", () => {
    assert.match(refusal('pg_catalog.pg_authid'), /pg_catalog is a PostgreSQL system schema/);
    assert.match(refusal('pg_catalog.x'), /system schema/);
    assert.match(refusal('information_schema.x'), /information_schema is a PostgreSQL system schema/);
    assert.match(refusal('pg_temp.x'), /system schema/);
    assert.match(refusal('pg_toast.x'), /system schema/);
    assert.match(refusal('pg_temp_3.x'), /system schema/);
    assert.match(refusal('pg_authid'), /resolves to the system catalog/);
    for (const table of PLANE_TABLES) {
      assert.match(refusal(table), /one of the plane's own tables/);
      assert.match(refusal(`public.${table}`), /one of the plane's own tables/);
    }
  });

  test('ordinary tables, also in other schemas, stay allowed', () => {
    for (const table of ['metric_events', 'public.metric_events', 'analytics.cpu', 'public.pg_like_name', 'xr_messages_archive']) {
      assert.equal(parseSinkTarget({ kind: 'postgres', table }).ok, true, table);
    }
  });
});
