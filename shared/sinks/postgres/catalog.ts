import type { Sql, TransactionSql } from '../../postgres/index.ts';
import { quoteTable } from './ddl.ts';

/** What the sink needs to know about an existing table to write to it. */
type TableShape = {
  /** The unique key writes conflict on: (event_id), or (event_id, event_time) on a hypertable. */
  readonly key: readonly string[];
  /** Column name → the cast its values are sent with (undefined: a type this sink does not write). */
  readonly casts: ReadonlyMap<string, string | undefined>;
};

// The table's own types decide the casts (the table is the truth at write time, whatever schema
// created it). Only these names ever reach the SQL text, so a catalog entry cannot inject SQL.
const CASTS: ReadonlyMap<string, string> = new Map([
  ['text', 'text'],
  ['character varying', 'text'],
  ['character', 'text'],
  ['smallint', 'smallint'],
  ['integer', 'integer'],
  ['bigint', 'bigint'],
  ['real', 'real'],
  ['double precision', 'double precision'],
  ['numeric', 'numeric'],
  ['boolean', 'boolean'],
  ['timestamp with time zone', 'timestamptz'],
  ['timestamp without time zone', 'timestamp'],
  ['date', 'date'],
  ['uuid', 'uuid'],
  ['json', 'json'],
  ['jsonb', 'jsonb'],
]);

function castFor(formatted: string): string | undefined {
  return CASTS.get(formatted.replace(/\(\d+(,\d+)?\)/g, '').trim());
}

/** Keys that make writes idempotent on the event id, best first. */
const IDEMPOTENT_KEYS = ['event_id', 'event_id,event_time'];

/** The table's columns and its idempotency key; undefined when the table does not exist. */
async function describeTable(sql: Sql | TransactionSql, table: string): Promise<TableShape | { problem: string } | undefined> {
  const name = quoteTable(table);
  const columns = await sql<{ name: string; type: string }[]>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a
    where a.attrelid = to_regclass(${name}) and a.attnum > 0 and not a.attisdropped`;
  if (columns.length === 0) return undefined;
  const uniques = await sql<{ columns: string }[]>`
    select string_agg(a.attname, ',' order by a.attname) as columns
    from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
    where i.indrelid = to_regclass(${name}) and i.indisunique and i.indpred is null and i.indexprs is null
    group by i.indexrelid`;
  const found = new Set(uniques.map((row) => row.columns));
  const key = IDEMPOTENT_KEYS.find((candidate) => found.has(candidate));
  if (key === undefined) {
    return { problem: `table ${table} has no unique key on (event_id) or (event_id, event_time), so writes could not be idempotent` };
  }
  return { key: key.split(','), casts: new Map(columns.map((column) => [column.name, castFor(column.type)])) };
}

export { describeTable };
export type { TableShape };
