import middy from '@middy/core';
import { ROUTE_RECORD, type RouteRequest, type RouteResponse } from '../../shared/contracts/index.ts';
import { requestShape } from '../../shared/middleware/index.ts';
import { runRoute } from '../../shared/stages/index.ts';
import { buildRouteDeps } from '../../shared/wiring/index.ts';

const deps = buildRouteDeps();

const handler = middy<RouteRequest, RouteResponse>()
  .use(deps.powertools)
  .use(requestShape<RouteRequest, RouteResponse>('route', ROUTE_RECORD))
  .handler((request) => runRoute(request, deps));

export { handler };
