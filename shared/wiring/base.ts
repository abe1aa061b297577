import type { FunctionConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../logging/index.ts';
import { createSql, type Sql } from '../postgres/index.ts';

/** What every function's configuration says about its logging and its database pool. */
type FunctionBaseConfig = Pick<FunctionConfig, 'logLevel' | 'databaseUrl' | 'databasePoolMax'>;

/** What every function builds once per container, at cold start. */
type FunctionBase = {
  readonly logger: Logger;
  readonly sql: Sql;
};

/** A function's pool, named after the function so PostgreSQL's view of sessions says whose it is. */
function createFunctionSql(functionName: string, config: FunctionBaseConfig): Sql {
  return createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: `ingest-${functionName}` });
}

function createFunctionBase(functionName: string, config: FunctionBaseConfig): FunctionBase {
  return { logger: createLogger(config.logLevel, { function: functionName }), sql: createFunctionSql(functionName, config) };
}

export { createFunctionBase, createFunctionSql };
export type { FunctionBase, FunctionBaseConfig };
