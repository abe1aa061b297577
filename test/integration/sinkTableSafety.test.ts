import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import { createSql } from '../../shared/postgres/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { isProblem, type RawResponse, registryClient } from '../helpers/registryClient.ts';

const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';

describe('sink tables the registry must never accept (registry API under serverless-offline)', () => {
  let plane: TestPlane;
  let call: ReturnType<typeof registryClient>;
  let routes = 0;

  before(async () => {
    plane = await createTestPlane();
    call = registryClient(plane.registryUrl, plane.registryToken);
  });

  after(async () => {
    await plane?.close();
  });

  /** Stores a new route writing to `table`; each call uses a subject of its own. */
  function storeRoute(table: string): Promise<RawResponse> {
    routes += 1;
    const name = `safety${routes}`;
    return call('PUT', `/messagegroups/metrics/messages/${name}`, {
      body: {
        protocoloptions: { subject: `${plane.runId}.${name}.v1` },
        dataschemaxid: SCHEMA,
        ingestion: { sink: { kind: 'postgres', table }, deadlettersubject: `${plane.runId}dlq.${name}.v1` },
      },
    });
  }

  async function assertRefused(table: string, reason: RegExp): Promise<void> {
    const response = await storeRoute(table);
    assert.equal(response.status, 400, `${table}: ${response.text}`);
    assert.ok(isProblem(response), response.text);
    assert.match(String(response.json.detail), new RegExp(table.replaceAll('.', '\\.')), 'the problem names the table');
    assert.match(String(response.json.detail), reason);
  }

  async function exists(table: string): Promise<boolean> {
    const [row] = await plane.sql<{ present: boolean }[]>`select to_regclass(${table}) is not null as present`;
    return row!.present;
  }

  test('system schemas and catalog tables are refused with 400, and nothing is created there', async () => {
    await assertRefused('pg_catalog.pg_authid', /system schema/);
    await assertRefused('pg_catalog.x', /system schema/);
    await assertRefused('information_schema.x', /system schema/);
    await assertRefused('pg_temp.x', /system schema/);
    await assertRefused('pg_toast.x', /system schema/);
    await assertRefused('pg_authid', /system catalog/);
    assert.equal(await exists('information_schema.x'), false);
    assert.equal(await exists('pg_catalog.x'), false);
  });

  test('every table a freshly migrated database holds is refused, qualified or not', async () => {
    const fresh = await createTestDatabase(`ingest_${uniqueRunId()}`);
    const sql = createSql(fresh.url, { max: 1, applicationName: 'ingest-test' });
    let tables: string[];
    try {
      await migrateRegistry(sql, MIGRATIONS_DIR);
      tables = (await sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = current_schema() order by 1`).map((row) => row.name);
    } finally {
      await sql.end({ timeout: 5 });
      await fresh.drop();
    }
    assert.ok(tables.includes('xr_messages') && tables.includes('schema_migrations') && tables.includes('sink_deliveries'), tables.join(', '));
    for (const table of tables) {
      await assertRefused(table, /the plane's own tables/);
      await assertRefused(`public.${table}`, /the plane's own tables/);
    }
  });

  test('a schema that does not exist and a create PostgreSQL refuses are 400s naming the table and the reason', async () => {
    await assertRefused('newschema.t', /schema newschema does not exist/);
    assert.equal(await exists('newschema.t'), false);
    // A domain owns the type name a new table would need.
    await plane.sql`create domain safety_clash as integer`;
    await assertRefused('safety_clash', /PostgreSQL refused to create it: .*already exists/);
  });

  test('existing relations that are not sink tables are refused', async () => {
    await plane.sql`create view safety_view as select 'x'::text as event_id`;
    await assertRefused('safety_view', /a view, not a table/);
    await plane.sql`create table safety_nokey (event_id text, payload jsonb)`;
    await assertRefused('safety_nokey', /not a sink table: .*no unique key on \(event_id\)/);
  });

  test('ordinary tables still work: a new one in another schema is created, an existing sink table is used', async () => {
    await plane.sql`create schema safety_ok`;
    const created = await storeRoute('safety_ok.cpu');
    assert.equal(created.status, 201, created.text);
    assert.equal(await exists('safety_ok.cpu'), true);
    await plane.sql`create table safety_existing (event_id text primary key, event_type text not null, event_version text not null,
      source text, event_time timestamptz not null, subject text not null, payload jsonb not null, ingested_at timestamptz not null default now())`;
    const reused = await storeRoute('safety_existing');
    assert.equal(reused.status, 201, reused.text);
  });
});
