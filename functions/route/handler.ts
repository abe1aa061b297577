import middy from '@middy/core';
import { ROUTE_RECORD, type RouteRequest, type RouteResponse } from '../../shared/contracts/index.ts';
import { requestShape, tracedHandler } from '../../shared/middleware/index.ts';
import { runRoute } from '../../shared/stages/index.ts';
import { buildRouteDeps } from '../../shared/wiring/index.ts';

const deps = buildRouteDeps();

const handler = middy<RouteRequest, RouteResponse>()
  .use(deps.powertools)
  .use(requestShape<RouteRequest, RouteResponse>('route', ROUTE_RECORD))
  .handler((request) => runRoute(request, deps));

// Outermost, so the span covers every middleware too, and the flush comes after all of them.
const traced = tracedHandler('route', deps.tracing, handler);

export { traced as handler };
