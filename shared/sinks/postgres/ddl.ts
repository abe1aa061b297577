import { isTableName } from '../../postgres/index.ts';
import { mappedColumns } from './columns.ts';

/** What a table is made from: the route's sink target plus its reader schema (needed for mapped columns). */
type PostgresTableSpec = {
  readonly table: string;
  readonly columns?: Readonly<Record<string, string>>;
  /** The route's Avro reader schema; required when `columns` is set. */
  readonly schema?: unknown;
};

/**
 * `"schema"."table"`. isTableName already restricts names to [a-z_][a-z0-9_]*, so the quotes
 * only keep reserved words (a table called `user`) working.
 */
function quoteTable(table: string): string {
  if (!isTableName(table)) throw new Error(`refusing table name "${table}"`);
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

function defaultColumns(): string[] {
  return [
    'event_id      text        not null',
    'event_type    text        not null',
    'event_version text        not null',
    'source        text',
    'event_time    timestamptz not null',
    'subject       text        not null',
    'payload       jsonb       not null',
    'ingested_at   timestamptz not null default now()',
  ];
}

function mappedColumnLines(spec: PostgresTableSpec): string[] {
  const columns = mappedColumns(spec.columns ?? {}, spec.schema);
  return [
    'event_id    text        not null',
    'event_time  timestamptz not null',
    ...columns.map((column) => `"${column.name}" ${column.sqlType}${column.nullable ? '' : ' not null'}`),
    'ingested_at timestamptz not null default now()',
  ];
}

/**
 * The DDL for a sink table, as one SQL script (statements separated by `;`).
 *
 * - Default layout: envelope columns + payload jsonb. With `columns`: event_id, event_time, one
 *   column per mapping (types from the Avro schema; a nullable union gives a nullable column) and
 *   ingested_at.
 * - Plain table: the key is (event_id); `on conflict do nothing` on it makes writes idempotent.
 * - `hypertable` (TimescaleDB): partitioned on event_time. TimescaleDB requires every unique index
 *   to include the partitioning column, so the key is (event_id, event_time). That is still
 *   idempotent: a redelivered or republished event carries its own, unchanged `time`, so a repeat
 *   has the same (event_id, event_time) and is dropped. (Callers choose a hypertable only when the
 *   schema has such a `time`; without one event_time is the publish time, which a republish changes.)
 */
function postgresTableDdl(spec: PostgresTableSpec & { readonly hypertable: boolean }): string {
  const table = quoteTable(spec.table);
  const lines = spec.columns === undefined ? defaultColumns() : mappedColumnLines(spec);
  const key = spec.hypertable ? 'event_id, event_time' : 'event_id';
  const create = `create table if not exists ${table} (\n  ${[...lines, `primary key (${key})`].join(',\n  ')}\n)`;
  if (!spec.hypertable) return `${create};\n`;
  // The table name is a literal here (create_hypertable takes a regclass); quoteTable allows no quote characters.
  const hypertable = `select create_hypertable('${table}', 'event_time', if_not_exists => true)`;
  return `${create};\n${hypertable};\n`;
}

export { postgresTableDdl, quoteTable };
export type { PostgresTableSpec };
