import type { ApiRequest, ApiResponse } from '../registryApi/index.ts';
import { isAssetPath, serveAsset, servePage } from './assets.ts';
import { authorize, isAuthenticated, refuseCrossOrigin } from './auth.ts';
import type { ConsoleDeps } from './deps.ts';
import { ConsoleRequestError } from './errors.ts';
import { readJsonObject } from './input.ts';
import { LETTER_ROUTES } from './letterEndpoints.ts';
import { problemFor } from './problems.ts';
import { REGISTRY_ROUTES } from './registryEndpoints.ts';
import { json } from './responses.ts';
import { routeViewOf } from './routeView.ts';
import { type ConsoleContext, type ConsoleRoute, findRoute } from './router.ts';
import type { SessionView } from './views.ts';

const API_PREFIX = '/console/api';
/** The registry's xRegistry API answers at the root of the same origin. */
const REGISTRY_PATH = '/';

async function session(context: ConsoleContext): Promise<ApiResponse> {
  const { deps, request } = context;
  const view: SessionView = {
    stage: deps.stage,
    requireAuth: deps.auth.requireAuth,
    authenticated: isAuthenticated(request, deps.auth),
    figuresIntervalMs: deps.figuresIntervalMs,
    registryPath: REGISTRY_PATH,
  };
  return json(200, view);
}

/** The whole console API: one line per endpoint (views.ts says what each answers). */
const API_ROUTES: readonly ConsoleRoute[] = [
  { method: 'GET', path: '/session', access: 'session', handler: session },
  { method: 'GET', path: '/overview', access: 'read', handler: async ({ deps }) => json(200, await deps.overview()) },
  { method: 'GET', path: '/routes', access: 'read', handler: async ({ deps }) => json(200, (await deps.routes()).map(routeViewOf)) },
  ...REGISTRY_ROUTES,
  ...LETTER_ROUTES,
];

async function answerApi(request: ApiRequest, deps: ConsoleDeps): Promise<ApiResponse> {
  refuseCrossOrigin(request);
  const route = findRoute(API_ROUTES, request.method, request.path.slice(API_PREFIX.length));
  try {
    authorize(request, deps.auth, route.access);
    return await route.handler({ request, deps, query: new URLSearchParams(request.query), body: () => readJsonObject(request) });
  } catch (error) {
    const refused = problemFor(error, request, deps.logger);
    if (route.access === 'write') deps.logger.warn('console write refused', { method: request.method, path: request.path, status: refused.status });
    return refused;
  }
}

/**
 * The operator console: its page (`/console`), the page's bundled files (`/console/assets/<name>`)
 * and its JSON API (`/console/api/...`). Never throws: every failure is an RFC 9457 problem
 * document. No response carries a CORS header, and the API refuses requests from other origins.
 */
async function handleConsoleRequest(request: ApiRequest, deps: ConsoleDeps): Promise<ApiResponse> {
  const { method, path } = request;
  try {
    if (path === '/console' || path === '/console/') return servePage(method, path, deps.assets);
    if (isAssetPath(path)) return serveAsset(method, path, deps.assets);
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return await answerApi(request, deps);
    throw new ConsoleRequestError(404, 'Not Found', `${path} is not part of the console`);
  } catch (error) {
    return problemFor(error, request, deps.logger);
  }
}

export { handleConsoleRequest };
