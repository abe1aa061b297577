import type { CliConfig } from '../shared/config/index.ts';
import { findRouteBySubject } from '../shared/routes/index.ts';
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
    const tables = route.sinks.filter((sink) => sink.kind === 'postgres');
    if (tables.length === 0) {
      report(`${options.subject} writes to no PostgreSQL table (its sinks: ${route.sinks.map((sink) => sink.kind).join(', ')})`);
      return false;
    }
    // A fan-out route may write to several tables; each gets its own DDL.
    for (const table of tables) {
      const spec = { table: table.table, columns: table.columns, schema: route.schema.definition };
      const plan = await planPostgresTable(sql, spec);
      if (options.print) report(plan.ddl);
      else if (plan.exists) report(`table ${table.table} exists; left as it is`);
      else {
        await ensurePostgresTable(sql, spec);
        report(`created ${table.table}${plan.hypertable ? ' (a TimescaleDB hypertable)' : ''}`);
      }
    }
    return true;
  });
}

export { runSinkCreateTable };
