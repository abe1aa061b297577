import type { Sql, TransactionSql } from '../postgres/index.ts';
import { parseStoredSink } from './document.ts';
import type { RouteKey, RouteRecord } from './types.ts';

type RouteRow = {
  event_type: string;
  event_version: string;
  subject: string;
  schema_format: string;
  schema_definition: unknown;
  sink: unknown;
  deadletter_subject: string;
  epoch: number;
};

function toRouteRecord(row: RouteRow): RouteRecord {
  return {
    key: { type: row.event_type, version: row.event_version },
    subject: row.subject,
    schema: { format: row.schema_format, definition: row.schema_definition },
    sink: parseStoredSink(row.sink),
    deadLetterSubject: row.deadletter_subject,
    epoch: row.epoch,
  };
}

async function findRoute(sql: Sql, key: RouteKey): Promise<RouteRecord | undefined> {
  const [row]: [RouteRow?] = await sql`
    select event_type, event_version, subject, schema_format, schema_definition, sink, deadletter_subject, epoch
    from registry_routes
    where event_type = ${key.type} and event_version = ${key.version}`;
  return row === undefined ? undefined : toRouteRecord(row);
}

async function listRoutes(sql: Sql): Promise<RouteRecord[]> {
  const rows = await sql<RouteRow[]>`
    select event_type, event_version, subject, schema_format, schema_definition, sink, deadletter_subject, epoch
    from registry_routes
    order by event_type, event_version`;
  return rows.map(toRouteRecord);
}

/**
 * Inserts or replaces routes. The epoch moves only when something really changed, so loading
 * the same document twice does not invalidate every function's cache.
 */
async function upsertRoutes(sql: Sql | TransactionSql, routes: readonly RouteRecord[]): Promise<void> {
  for (const route of routes) {
    await sql`
      insert into registry_routes
        (event_type, event_version, subject, schema_format, schema_definition, sink, deadletter_subject)
      values
        (${route.key.type}, ${route.key.version}, ${route.subject}, ${route.schema.format},
         ${sql.json(route.schema.definition as never)}, ${sql.json(route.sink as never)}, ${route.deadLetterSubject})
      on conflict (event_type, event_version) do update set
        subject = excluded.subject,
        schema_format = excluded.schema_format,
        schema_definition = excluded.schema_definition,
        sink = excluded.sink,
        deadletter_subject = excluded.deadletter_subject,
        epoch = registry_routes.epoch + 1,
        modified_at = now()
      where (registry_routes.subject, registry_routes.schema_format, registry_routes.schema_definition,
             registry_routes.sink, registry_routes.deadletter_subject)
        is distinct from
            (excluded.subject, excluded.schema_format, excluded.schema_definition,
             excluded.sink, excluded.deadletter_subject)`;
  }
}

export { findRoute, listRoutes, upsertRoutes };
