import type { SinkWriteRecord, SinkWriteResult } from '../records.ts';
import { IngestError } from '../../failures/index.ts';
import { arrayLiteral, isRowDataError, isTransientPostgresError, isUndefinedTable, type Sql } from '../../postgres/index.ts';
import { isTableName } from '../../postgres/index.ts';
import type { PostgresSinkTarget } from '../types.ts';
import { SinkRejectedError, SinkTargetMissingError, SinkUnavailableError } from '../errors.ts';
import { describeTable, type TableShape } from './catalog.ts';
import { sqlText, valueAt } from './columns.ts';
import type { Sink } from '../types.ts';

/** One column of an insert: its name, the cast its values are sent with, and where each value comes from. */
type ColumnPlan = { readonly name: string; readonly cast: string; readonly value: (record: SinkWriteRecord) => string | null };
type InsertPlan = { readonly table: string; readonly key: readonly string[]; readonly columns: readonly ColumnPlan[] };

/** The default layout: envelope columns plus the event's `data` (or the whole record when it has none) as jsonb. */
const DEFAULT_COLUMNS: readonly ColumnPlan[] = [
  { name: 'event_id', cast: 'text', value: (record) => record.event.eventId },
  { name: 'event_type', cast: 'text', value: (record) => record.event.routeKey.type },
  { name: 'event_version', cast: 'text', value: (record) => record.event.routeKey.version },
  { name: 'source', cast: 'text', value: (record) => record.event.source },
  { name: 'event_time', cast: 'timestamptz', value: (record) => record.event.time },
  { name: 'subject', cast: 'text', value: (record) => record.subject },
  { name: 'payload', cast: 'jsonb', value: (record) => JSON.stringify(record.event.body.data ?? record.event.body) },
];

// SQLSTATEs that mean "the table is not what this route writes": a missing column, no unique
// index for the conflict target, a column of another type, or the table dropped meanwhile.
const TARGET_MISMATCH = new Set(['42703', '42P10', '42804', '42P01']);

function sqlState(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function assertTable(table: string): void {
  // The registry validates tables when they are stored; this guards the SQL boundary itself.
  if (!isTableName(table)) throw new SinkTargetMissingError(`refusing table name "${table}"`);
}

function planFor(target: PostgresSinkTarget, shape: TableShape): InsertPlan {
  if (target.columns === undefined) return { table: target.table, key: shape.key, columns: DEFAULT_COLUMNS };
  const mapped = Object.entries(target.columns).map(([name, path]): ColumnPlan => {
    if (!shape.casts.has(name)) {
      throw new SinkTargetMissingError(`table ${target.table} has no column "${name}"; create the table for this route (ingest sink create-table)`);
    }
    const cast = shape.casts.get(name);
    if (cast === undefined) throw new SinkTargetMissingError(`table ${target.table}: column "${name}" has a type this sink does not write`);
    const json = cast === 'jsonb' || cast === 'json';
    return { name, cast, value: (record) => sqlText(valueAt(record.event.body, path), json) };
  });
  return {
    table: target.table,
    key: shape.key,
    columns: [
      { name: 'event_id', cast: 'text', value: (record) => record.event.eventId },
      { name: 'event_time', cast: 'timestamptz', value: (record) => record.event.time },
      ...mapped,
    ],
  };
}

/**
 * The bulk path: one statement per batch, every column sent as one array parameter and unnested
 * server-side, so 500 events cost one round trip. `on conflict do nothing` on the idempotency key
 * plus `returning` tells fresh rows from repeats.
 */
async function insertRows(sql: Sql, plan: InsertPlan, records: readonly SinkWriteRecord[]): Promise<Set<string>> {
  // Casts come from DEFAULT_COLUMNS or the catalog whitelist in postgresCatalog.ts, never from the registry.
  const arrays = plan.columns.map((column) => sql`${arrayLiteral(records, column.value)}::${sql.unsafe(column.cast)}[]`);
  const list = arrays.reduce((joined, array) => sql`${joined}, ${array}`);
  const rows = await sql<{ event_id: string }[]>`
    insert into ${sql(plan.table)} (${sql(plan.columns.map((column) => column.name))})
    select * from unnest(${list})
    on conflict (${sql([...plan.key])}) do nothing
    returning event_id`;
  return new Set(rows.map((row) => row.event_id));
}

function asSinkError(error: unknown, table: string): IngestError {
  if (error instanceof IngestError) return error;
  if (isUndefinedTable(error)) return new SinkTargetMissingError(`table ${table} does not exist`, { cause: error });
  if (TARGET_MISMATCH.has(sqlState(error) ?? '')) {
    return new SinkTargetMissingError(`table ${table} does not match this route's layout: ${(error as Error).message}`, { cause: error });
  }
  if (isTransientPostgresError(error)) {
    return new SinkUnavailableError(`PostgreSQL unavailable: ${(error as Error).message}`, { cause: error });
  }
  if (isRowDataError(error)) return new SinkRejectedError(`PostgreSQL rejected the row: ${(error as Error).message}`, { cause: error });
  // Unknown server errors are treated as transient: retrying costs little, dead-lettering
  // a good event because of, say, a permissions change would need a replay.
  return new SinkUnavailableError(`PostgreSQL error: ${(error as Error).message}`, { cause: error });
}

function results(records: readonly SinkWriteRecord[], inserted: Set<string>): SinkWriteResult[] {
  const claimed = new Set<string>();
  return records.map((record) => {
    const id = record.event.eventId;
    const fresh = inserted.has(id) && !claimed.has(id);
    claimed.add(id);
    return { id: record.id, ok: true, duplicate: !fresh };
  });
}

/**
 * A row that the server refuses for its data fails the whole statement; inserting the batch
 * row by row then isolates it, so one bad record never fails its neighbours.
 */
async function insertRowByRow(sql: Sql, plan: InsertPlan, records: readonly SinkWriteRecord[]): Promise<SinkWriteResult[]> {
  const out: SinkWriteResult[] = [];
  for (const record of records) {
    try {
      out.push(...results([record], await insertRows(sql, plan, [record])));
    } catch (error) {
      const failure = asSinkError(error, plan.table);
      if (failure.retryable) throw failure;
      out.push({ id: record.id, ok: false, failure: failure.toFailure() });
    }
  }
  return out;
}

/**
 * Writes to a PostgreSQL or TimescaleDB table. Each table's key and column types are read from
 * the catalog once per process and kept until a write finds the table changed.
 */
function createPostgresTableSink(sql: Sql): Sink<PostgresSinkTarget> {
  const shapes = new Map<string, TableShape>();

  async function shapeOf(table: string): Promise<TableShape> {
    const known = shapes.get(table);
    if (known !== undefined) return known;
    let shape: Awaited<ReturnType<typeof describeTable>>;
    try {
      shape = await describeTable(sql, table);
    } catch (error) {
      throw asSinkError(error, table);
    }
    if (shape === undefined) throw new SinkTargetMissingError(`table ${table} does not exist`);
    if ('problem' in shape) throw new SinkTargetMissingError(shape.problem);
    shapes.set(table, shape);
    return shape;
  }

  /** The insert for `target`; a cached shape that lacks a mapped column is read again once (the table may have been altered). */
  async function currentPlan(target: PostgresSinkTarget): Promise<{ plan: InsertPlan; cached: boolean }> {
    const cached = shapes.has(target.table);
    try {
      return { plan: planFor(target, await shapeOf(target.table)), cached };
    } catch (error) {
      if (!cached || !(error instanceof SinkTargetMissingError)) throw error;
      shapes.delete(target.table);
      return { plan: planFor(target, await shapeOf(target.table)), cached: false };
    }
  }

  async function attempt(target: PostgresSinkTarget, records: readonly SinkWriteRecord[], again: boolean): Promise<SinkWriteResult[]> {
    const { plan, cached } = await currentPlan(target);
    try {
      return results(records, await insertRows(sql, plan, records));
    } catch (error) {
      if (TARGET_MISMATCH.has(sqlState(error) ?? '')) {
        // The table changed since its shape was read (altered, or dropped and recreated): read it again once.
        shapes.delete(target.table);
        if (cached && !again) return attempt(target, records, true);
      }
      if (isRowDataError(error) && records.length > 1) return insertRowByRow(sql, plan, records);
      throw asSinkError(error, target.table);
    }
  }

  return {
    kind: 'postgres',
    async write(target, records) {
      assertTable(target.table);
      return attempt(target, records, false);
    },
    async has(target, eventIds) {
      assertTable(target.table);
      // Every layout has event_id (the default's key, and the first column of a mapped table).
      try {
        const rows = await sql<{ event_id: string }[]>`
          select event_id from ${sql(target.table)} where event_id = any(${arrayLiteral(eventIds, (id) => id)}::text[])`;
        return new Set(rows.map((row) => row.event_id));
      } catch (error) {
        throw asSinkError(error, target.table);
      }
    },
  };
}

export { createPostgresTableSink };
