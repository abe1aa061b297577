import type { FunctionConfig } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import type { FunctionPowertools } from '../middleware/index.ts';
import { createSql, type Sql } from '../postgres/index.ts';
import { startTracing, type Tracing } from '../telemetry/index.ts';
import { createFunctionPowertools, powertoolsBackedLogger } from './powertools.ts';

/** What every function's configuration says about its logging, telemetry and its database pool. */
type FunctionBaseConfig = Pick<FunctionConfig, 'logLevel' | 'telemetry' | 'databaseUrl' | 'databasePoolMax'>;

/** What every function builds once per container, at cold start. */
type FunctionBase = {
  /** The project's logger, written by the function's Powertools Logger. */
  readonly logger: Logger;
  /** Powertools Logger and Metrics, for the function's telemetry middleware. */
  readonly powertools: FunctionPowertools;
  readonly sql: Sql;
  /** The function's traces (off without an OTLP traces endpoint); its handler span is `tracedHandler`'s. */
  readonly tracing: Tracing;
};

/** A function's pool, named after the function so PostgreSQL's view of sessions says whose it is. */
function createFunctionSql(functionName: string, config: Pick<FunctionConfig, 'databaseUrl' | 'databasePoolMax'>): Sql {
  return createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: `ingest-${functionName}` });
}

function createFunctionBase(functionName: string, config: FunctionBaseConfig): FunctionBase {
  const powertools = createFunctionPowertools(functionName, config);
  return {
    logger: powertoolsBackedLogger(powertools.logger),
    powertools,
    sql: createFunctionSql(functionName, config),
    tracing: startTracing(config.telemetry),
  };
}

export { createFunctionBase, createFunctionSql };
/** A function's dependencies with its tracing, for the handler's span (`tracedHandler`). */
type WithTracing<T> = T & { readonly tracing: Tracing };

export type { FunctionBase, FunctionBaseConfig, WithTracing };
