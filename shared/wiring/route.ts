import { loadFunctionConfig } from '../config/index.ts';
import type { RouteRequest, RouteResponse } from '../contracts/index.ts';
import { functionTelemetry, stageView } from '../middleware/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import type { RouteDeps } from '../stages/index.ts';
import { createFunctionBase, type WithTracing } from './base.ts';
import type { WithPowertools } from './withPowertools.ts';

/** The route function's dependencies: the registry through its caches, its Powertools middleware and its tracing. */
function buildRouteDeps(): WithTracing<RouteDeps & WithPowertools<RouteRequest, RouteResponse>> {
  const config = loadFunctionConfig();
  const { sql, powertools, tracing } = createFunctionBase('route', config);
  return { routes: createRouteLookup(sql, config.registryCache), powertools: functionTelemetry<RouteRequest, RouteResponse>(powertools, stageView), tracing };
}

export { buildRouteDeps };
