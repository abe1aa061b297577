import middy from '@middy/core';
import { ROUTE_RECORD, type RouteRequest, type RouteResponse } from '../../shared/contracts/index.ts';
import { requestShape } from '../../shared/middleware/index.ts';
import { createFunctionRuntime } from '../../shared/wiring/index.ts';
import { runRoute } from '../../shared/stages/index.ts';

const runtime = createFunctionRuntime('route');
const deps = { routes: runtime.routes };

const handler = middy<RouteRequest, RouteResponse>()
  .use(requestShape<RouteRequest, RouteResponse>('route', ROUTE_RECORD))
  .handler((request) => runRoute(request, deps));

export { handler };
