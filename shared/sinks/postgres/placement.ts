import type { Sql, TransactionSql } from '../../postgres/index.ts';
import { describeTable } from './catalog.ts';
import { quoteTable } from './ddl.ts';
import { isSystemSchema, reservedTableProblem } from './reserved.ts';

/**
 * A sink table the database, or the plane's rules, will not let a route use: a system schema, one
 * of the plane's own tables, a schema that does not exist, a relation that is not a sink table, a
 * create PostgreSQL refuses. Retrying cannot help; the route has to name another table.
 */
class PostgresTableRefusedError extends Error {
  readonly retryable = false;
  readonly table: string;

  constructor(table: string, reason: string, options?: ErrorOptions) {
    super(`table ${table}: ${reason}`, options);
    this.name = 'PostgresTableRefusedError';
    this.table = table;
  }
}

type Placement = { readonly exists: true } | { readonly exists: false; readonly schema: string };

type Resolved = { readonly schema: string; readonly kind: string; readonly insertable: boolean };

const RELATION_KINDS: Readonly<Record<string, string>> = {
  v: 'a view',
  m: 'a materialized view',
  S: 'a sequence',
  f: 'a foreign table',
  i: 'an index',
  c: 'a composite type',
  t: 'a TOAST table',
};

/**
 * Where `table` lands in this database, checked against the catalog: an existing relation must be
 * an ordinary table outside the system schemas with an idempotency key on event_id (anything else
 * is not a sink table, whatever its name), and a new one needs a schema that exists, is not a
 * system schema, and that this user may create tables in. The name rules (reservedTableProblem)
 * apply first. Resolution goes through to_regclass, the way the sink's own statements resolve
 * the name, so an unqualified name is judged where it really points (pg_catalog comes first).
 */
async function checkTablePlacement(sql: Sql | TransactionSql, table: string): Promise<Placement> {
  const reserved = reservedTableProblem(table);
  if (reserved !== undefined) throw new PostgresTableRefusedError(table, reserved);
  const quoted = quoteTable(table);
  const [found] = await sql<Resolved[]>`
    select n.nspname as schema, c.relkind::text as kind, has_table_privilege(c.oid, 'INSERT') as insertable
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.oid = to_regclass(${quoted})`;
  if (found !== undefined) {
    if (isSystemSchema(found.schema))
      throw new PostgresTableRefusedError(table, `it resolves to ${found.schema}.${table.split('.').at(-1)!}, in a PostgreSQL system schema`);
    if (found.kind !== 'r' && found.kind !== 'p') {
      throw new PostgresTableRefusedError(table, `it is ${RELATION_KINDS[found.kind] ?? `a relation of kind ${found.kind}`}, not a table`);
    }
    const shape = await describeTable(sql, table);
    if (shape === undefined) throw new PostgresTableRefusedError(table, 'it exists but has no columns, so it is not a sink table');
    if ('problem' in shape) throw new PostgresTableRefusedError(table, `it exists but is not a sink table: ${shape.problem}`);
    if (!found.insertable) throw new PostgresTableRefusedError(table, 'the database user may not insert into it');
    return { exists: true };
  }
  const schema = await targetSchema(sql, table);
  return { exists: false, schema };
}

/** The schema a new `table` would be created in, if it may be created there. */
async function targetSchema(sql: Sql | TransactionSql, table: string): Promise<string> {
  const parts = table.split('.');
  const named = parts.length === 2 ? parts[0]! : undefined;
  const [row] = await sql<{ schema: string | null; present: boolean; creatable: boolean | null }[]>`
    with target as (select coalesce(${named ?? null}::text, current_schema()) as schema)
    select t.schema, n.oid is not null as present,
           case when n.oid is null then null else has_schema_privilege(n.oid, 'CREATE') end as creatable
    from target t left join pg_namespace n on n.nspname = t.schema`;
  if (row?.schema === null || row?.schema === undefined) {
    throw new PostgresTableRefusedError(table, "no schema on the database user's search_path exists to create it in; qualify it as schema.table");
  }
  if (!row.present) throw new PostgresTableRefusedError(table, `schema ${row.schema} does not exist; create it first or use an existing schema`);
  if (isSystemSchema(row.schema)) throw new PostgresTableRefusedError(table, `it would be created in ${row.schema}, a PostgreSQL system schema`);
  if (row.creatable !== true) throw new PostgresTableRefusedError(table, `the database user may not create tables in schema ${row.schema}`);
  return row.schema;
}

export { checkTablePlacement, PostgresTableRefusedError };
export type { Placement };
