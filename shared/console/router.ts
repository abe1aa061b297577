import type { ApiRequest, ApiResponse } from '../registryApi/index.ts';
import type { Access } from './auth.ts';
import type { ConsoleDeps } from './deps.ts';
import { ConsoleRequestError } from './errors.ts';

/** One API request on its way: its query parsed, its JSON body read only by the endpoints that take one. */
type ConsoleContext = {
  readonly request: ApiRequest;
  readonly deps: ConsoleDeps;
  readonly query: URLSearchParams;
  readonly body: () => Record<string, unknown>;
};

/**
 * One line of the console API's table: a method, a path under `/console/api` (exact, no
 * placeholders: ids travel in the query or body), what it needs, and its handler.
 */
type ConsoleRoute = {
  readonly method: string;
  readonly path: string;
  readonly access: Access;
  readonly handler: (context: ConsoleContext) => Promise<ApiResponse>;
};

/**
 * The route for a path and method: an unknown path is a 404, a known path without the method a
 * 405 that lists the path's methods in `Allow`, as the registry API's router answers.
 */
function findRoute(table: readonly ConsoleRoute[], method: string, path: string): ConsoleRoute {
  const forPath = table.filter((route) => route.path === path);
  if (forPath.length === 0) throw new ConsoleRequestError(404, 'Not Found', `/console/api${path} is not an API of the console`);
  const route = forPath.find((candidate) => candidate.method === method);
  if (route !== undefined) return route;
  const allow = forPath.map((candidate) => candidate.method).join(', ');
  throw new ConsoleRequestError(405, 'Method Not Allowed', `${method} is not supported on /console/api${path}`, { allow });
}

export { findRoute };
export type { ConsoleContext, ConsoleRoute };
