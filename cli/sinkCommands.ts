import type { CliConfig } from '../shared/config/index.ts';
import { findRouteBySubject } from '../shared/registry/index.ts';
import { ensurePostgresTable, planPostgresTable } from '../shared/sinks/index.ts';
import { type Print, withSql } from './commands.ts';

/**
 * The DDL of a route's PostgreSQL sink table, generated from its registered schema (and column
 * mapping); with `print` only shown, otherwise created when it does not exist yet.
 */
async function runSinkCreateTable(config: CliConfig, options: { subject: string; print: boolean }, report: Print): Promise<boolean> {
  return withSql(config, async (sql) => {
    const route = await findRouteBySubject(sql, options.subject);
    if (route === undefined) {
      report(`no route registered for ${options.subject}`);
      return false;
    }
    if (route.sink.kind !== 'postgres') {
      report(`${options.subject} writes to a ${route.sink.kind} sink, not a PostgreSQL table`);
      return false;
    }
    const spec = { table: route.sink.table, columns: route.sink.columns, schema: route.schema.definition };
    const plan = await planPostgresTable(sql, spec);
    if (options.print) {
      report(plan.ddl);
      return true;
    }
    if (plan.exists) {
      report(`table ${route.sink.table} exists; left as it is`);
      return true;
    }
    await ensurePostgresTable(sql, spec);
    report(`created ${route.sink.table}${plan.hypertable ? ' (a TimescaleDB hypertable)' : ''}`);
    return true;
  });
}

export { runSinkCreateTable };
