import { loadFunctionConfig } from '../config/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import type { RouteDeps } from '../stages/index.ts';
import { createFunctionBase, type WithTracing } from './base.ts';

/** The route function's dependencies: the registry through its caches. */
function buildRouteDeps(): WithTracing<RouteDeps> {
  const config = loadFunctionConfig();
  const { sql, tracing } = createFunctionBase('route', config);
  return { routes: createRouteLookup(sql, config.registryCache), tracing };
}

export { buildRouteDeps };
