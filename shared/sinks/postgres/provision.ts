import { isTransientPostgresError, type Sql, type TransactionSql } from '../../postgres/index.ts';
import { hasEventTime } from './columns.ts';
import { postgresTableDdl, type PostgresTableSpec } from './ddl.ts';
import { checkTablePlacement, PostgresTableRefusedError } from './placement.ts';

type TablePlan = {
  /** The table's DDL for this database (run only when the table does not exist). */
  readonly ddl: string;
  readonly exists: boolean;
  readonly hypertable: boolean;
};

async function hasTimescale(sql: Sql | TransactionSql): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`select exists (select 1 from pg_extension where extname = 'timescaledb') as present`;
  return row?.present === true;
}

/**
 * The DDL this database needs for `spec`. A hypertable when the `timescaledb` extension is
 * installed in the database and the schema's own `time` fills event_time (so a repeat keeps the
 * key); a plain table otherwise. An existing table is left as it is: turning a filled plain table
 * into a hypertable, or changing its columns, is an operator's migration, not a side effect of
 * storing a route. Throws PostgresTableRefusedError when the table may not be a sink at all
 * (checkTablePlacement).
 */
async function planPostgresTable(sql: Sql | TransactionSql, spec: string | PostgresTableSpec): Promise<TablePlan> {
  const wanted = typeof spec === 'string' ? { table: spec } : spec;
  const placement = await checkTablePlacement(sql, wanted.table);
  const hypertable = hasEventTime(wanted.schema) && (await hasTimescale(sql));
  return { ddl: postgresTableDdl({ ...wanted, hypertable }), exists: placement.exists, hypertable };
}

/**
 * Creates the sink table for `spec` unless it exists. A bare table name gives the default layout
 * as a plain table (the form older callers use). A create PostgreSQL refuses for a reason a retry
 * cannot change (a permission, a name clash with a type) is a PostgresTableRefusedError naming the
 * table and PostgreSQL's reason; a lost connection stays what it is, so callers can retry.
 */
async function ensurePostgresTable(sql: Sql | TransactionSql, spec: string | PostgresTableSpec): Promise<void> {
  const plan = await planPostgresTable(sql, spec);
  if (plan.exists) return;
  try {
    // No parameters, so postgres.js sends the script as one simple query: both statements at once.
    await sql.unsafe(plan.ddl);
  } catch (error) {
    if (isTransientPostgresError(error)) throw error;
    const table = typeof spec === 'string' ? spec : spec.table;
    throw new PostgresTableRefusedError(table, `PostgreSQL refused to create it: ${(error as Error).message}`, { cause: error });
  }
}

export { ensurePostgresTable, planPostgresTable };
export type { TablePlan };
