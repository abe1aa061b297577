import { loadFunctionConfig, type FunctionConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../logging/index.ts';
import { createSql, type Sql } from '../postgres/index.ts';
import { createRouteLookup, type RouteLookup } from '../routes/index.ts';

/** What every function builds once per container, at cold start. */
type FunctionRuntime = {
  readonly config: FunctionConfig;
  readonly logger: Logger;
  readonly sql: Sql;
  readonly routes: RouteLookup;
};

function createFunctionRuntime(functionName: string): FunctionRuntime {
  const config = loadFunctionConfig();
  const logger = createLogger(config.logLevel, { function: functionName });
  const sql = createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: `ingest-${functionName}` });
  return { config, logger, sql, routes: createRouteLookup(sql, config.registryCache) };
}

export { createFunctionRuntime };
export type { FunctionRuntime };
