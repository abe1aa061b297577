import type { SinkWriteRecord, SinkWriteResult } from '../contracts/index.ts';
import { IngestError } from '../failures/index.ts';
import { isRowDataError, isTransientPostgresError, isUndefinedTable, type Sql, type TransactionSql } from '../postgres/index.ts';
import { isTableName, type PostgresSinkTarget } from '../registry/index.ts';
import { SinkRejectedError, SinkTargetMissingError, SinkUnavailableError } from './errors.ts';
import type { Sink } from './types.ts';

type Columns = {
  ids: string[];
  types: string[];
  versions: string[];
  sources: (string | null)[];
  times: string[];
  subjects: string[];
  payloads: string[];
};

function assertTable(table: string): void {
  // The registry validates tables when they are stored; this guards the SQL boundary itself.
  if (!isTableName(table)) throw new SinkTargetMissingError(`refusing table name "${table}"`);
}

/**
 * The default table layout: envelope columns plus the event's `data` (or the whole record when
 * it has no `data`) as jsonb. `event_id` is the primary key, which makes every write idempotent.
 */
async function ensurePostgresTable(sql: Sql | TransactionSql, table: string): Promise<void> {
  assertTable(table);
  await sql`
    create table if not exists ${sql(table)} (
      event_id      text        primary key,
      event_type    text        not null,
      event_version text        not null,
      source        text,
      event_time    timestamptz not null,
      subject       text        not null,
      payload       jsonb       not null,
      ingested_at   timestamptz not null default now()
    )`;
}

function toColumns(records: readonly SinkWriteRecord[]): Columns {
  const columns: Columns = { ids: [], types: [], versions: [], sources: [], times: [], subjects: [], payloads: [] };
  for (const { event, subject } of records) {
    columns.ids.push(event.eventId);
    columns.types.push(event.routeKey.type);
    columns.versions.push(event.routeKey.version);
    columns.sources.push(event.source);
    columns.times.push(event.time);
    columns.subjects.push(subject);
    columns.payloads.push(JSON.stringify(event.body.data ?? event.body));
  }
  return columns;
}

async function insertBatch(sql: Sql, table: string, records: readonly SinkWriteRecord[]): Promise<Set<string>> {
  const c = toColumns(records);
  const rows = await sql<{ event_id: string }[]>`
    insert into ${sql(table)} (event_id, event_type, event_version, source, event_time, subject, payload)
    select * from unnest(
      ${sql.array(c.ids)}::text[], ${sql.array(c.types)}::text[], ${sql.array(c.versions)}::text[],
      ${sql.array(c.sources)}::text[], ${sql.array(c.times)}::timestamptz[], ${sql.array(c.subjects)}::text[],
      ${sql.array(c.payloads)}::jsonb[])
    on conflict (event_id) do nothing
    returning event_id`;
  return new Set(rows.map((row) => row.event_id));
}

function asSinkError(error: unknown, table: string): IngestError {
  if (error instanceof IngestError) return error;
  if (isUndefinedTable(error)) return new SinkTargetMissingError(`table ${table} does not exist`, { cause: error });
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
async function insertRowByRow(sql: Sql, table: string, records: readonly SinkWriteRecord[]): Promise<SinkWriteResult[]> {
  const out: SinkWriteResult[] = [];
  for (const record of records) {
    try {
      out.push(...results([record], await insertBatch(sql, table, [record])));
    } catch (error) {
      const failure = asSinkError(error, table);
      if (failure.retryable) throw failure;
      out.push({ id: record.id, ok: false, failure: failure.toFailure() });
    }
  }
  return out;
}

function createPostgresTableSink(sql: Sql): Sink<PostgresSinkTarget> {
  return {
    kind: 'postgres',
    async write(target, records) {
      assertTable(target.table);
      try {
        return results(records, await insertBatch(sql, target.table, records));
      } catch (error) {
        if (isRowDataError(error) && records.length > 1) return insertRowByRow(sql, target.table, records);
        throw asSinkError(error, target.table);
      }
    },
  };
}

export { createPostgresTableSink, ensurePostgresTable };
