import { isTableName } from '../../postgres/index.ts';

/**
 * Every table the plane itself owns: the migration runner's `schema_migrations` and each table a
 * migration in infra/migrations creates (even one a later migration dropped, so the name is never
 * taken by a sink). A route must never write into one of them. test/unit/sinkPostgresReserved.test.ts
 * fails when a migration creates a table this list lacks, and an integration test stores a route
 * against every table a migrated database holds; so a new internal table cannot slip through.
 */
const PLANE_TABLES: ReadonlySet<string> = new Set([
  'schema_migrations',
  'registry_routes',
  'xr_registry',
  'xr_schemagroups',
  'xr_schemas',
  'xr_schema_versions',
  'xr_schema_fingerprints',
  'xr_messagegroups',
  'xr_messages',
  'sink_deliveries',
  'ccompat_config',
  'ccompat_deleted_versions',
  'xr_endpoints',
]);

/**
 * PostgreSQL's own schemas: `pg_catalog`, `pg_toast`, the per-session `pg_temp_N` and
 * `pg_toast_temp_N` (and the `pg_temp` alias), all under the `pg_` prefix PostgreSQL reserves for
 * system schemas, plus `information_schema`.
 */
function isSystemSchema(schema: string): boolean {
  return schema === 'information_schema' || schema.startsWith('pg_');
}

/**
 * Why a sink table name may not be used at all, whatever the database holds; undefined when it
 * may. Applied wherever a target is parsed (storing a route, reading one back, before a write),
 * so a row edited by hand cannot point a sink at the catalog either.
 */
function reservedTableProblem(table: string): string | undefined {
  if (!isTableName(table)) return undefined;
  const parts = table.split('.');
  const name = parts.at(-1)!;
  const schema = parts.length === 2 ? parts[0]! : undefined;
  if (schema !== undefined && isSystemSchema(schema)) return `${schema} is a PostgreSQL system schema`;
  // pg_catalog is searched before the search_path, so an unqualified pg_ name finds the catalog's
  // table (pg_authid, pg_class, ...) before any of the user's.
  if (schema === undefined && name.startsWith('pg_')) return 'an unqualified name starting with pg_ resolves to the system catalog; qualify it with its schema';
  if (PLANE_TABLES.has(name)) return `${name} is one of the plane's own tables`;
  return undefined;
}

export { isSystemSchema, PLANE_TABLES, reservedTableProblem };
