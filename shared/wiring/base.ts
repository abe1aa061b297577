import type { FunctionConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../logging/index.ts';
import { createSql, type Sql } from '../postgres/index.ts';
import { startTracing, TRACING_OFF, type Tracing } from '../telemetry/index.ts';

/** What every function's configuration says about its logging and its database pool. */
type FunctionBaseConfig = Pick<FunctionConfig, 'logLevel' | 'databaseUrl' | 'databasePoolMax'> & Partial<Pick<FunctionConfig, 'telemetry'>>;

/** What every function builds once per container, at cold start. */
type FunctionBase = {
  readonly logger: Logger;
  readonly sql: Sql;
  /** The function's traces (off without an OTLP traces endpoint); its handler span is `tracedHandler`'s. */
  readonly tracing: Tracing;
};

/** A function's pool, named after the function so PostgreSQL's view of sessions says whose it is. */
function createFunctionSql(functionName: string, config: FunctionBaseConfig): Sql {
  return createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: `ingest-${functionName}` });
}

function createFunctionBase(functionName: string, config: FunctionBaseConfig): FunctionBase {
  return {
    logger: createLogger(config.logLevel, { function: functionName }),
    sql: createFunctionSql(functionName, config),
    tracing: config.telemetry === undefined ? TRACING_OFF : startTracing(config.telemetry),
  };
}

export { createFunctionBase, createFunctionSql };
/** A function's dependencies with its tracing, for the handler's span (`tracedHandler`). */
type WithTracing<T> = T & { readonly tracing: Tracing };

export type { FunctionBase, FunctionBaseConfig, WithTracing };
