import { loadFunctionConfig } from '../config/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import type { RouteDeps } from '../stages/index.ts';
import { createFunctionBase } from './base.ts';

/** The route function's dependencies: the registry through its caches. */
function buildRouteDeps(): RouteDeps {
  const config = loadFunctionConfig();
  const { sql } = createFunctionBase('route', config);
  return { routes: createRouteLookup(sql, config.registryCache) };
}

export { buildRouteDeps };
