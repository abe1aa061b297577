import { XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';
import type { RouteContext } from './context.ts';
import type { ParsedPath } from './paths.ts';
import type { ApiResponse } from './request.ts';
import { problem } from './responses.ts';
import { ANY_METHOD, DETAILS_SUFFIX, type Route, type RouteParams } from './route.ts';

/** A route with its pattern split once: literal segments and `:name` placeholders. */
type CompiledRoute = { readonly route: Route; readonly segments: readonly string[]; readonly details: boolean };

/** Answers a request by the first route of the table that matches its path and method. */
type Router = (context: RouteContext) => Promise<ApiResponse>;

function compile(route: Route): CompiledRoute {
  const { pattern } = route;
  const details = pattern.endsWith(DETAILS_SUFFIX);
  const path = details ? pattern.slice(0, -DETAILS_SUFFIX.length) : pattern;
  const segments = path === '/' ? [] : path.slice(1).split('/');
  if (!path.startsWith('/') || segments.some((segment) => segment === '' || segment === ':' || segment.includes(DETAILS_SUFFIX))) {
    throw new Error(`route pattern "${pattern}" is not /-separated segments with an optional ${DETAILS_SUFFIX} at the end`);
  }
  return { route, segments, details };
}

/** The placeholders' values when every segment matches (literals exactly, case included), else undefined. */
function matchSegments(pattern: readonly string[], segments: readonly string[]): RouteParams | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index]!;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

type Match = { readonly route: Route; readonly params: RouteParams };

function matchPath(table: readonly CompiledRoute[], path: ParsedPath): Match[] {
  const matches: Match[] = [];
  for (const { route, segments, details } of table) {
    const params = details === path.details ? matchSegments(segments, path.segments) : undefined;
    if (params !== undefined) matches.push({ route, params });
  }
  return matches;
}

/** The answer for a path no route matches, or a method a matched path lacks (the router adds `Allow`). */
type Refusal = (error: XRegistryError, instance: string) => ApiResponse;

/**
 * A path no route matches is a 404 (api_not_found); a path some route matches, but none for this
 * method, a 405 that lists the methods the path has in `Allow`. Both name the decoded path, as
 * problem documents unless the API has its own error bodies (`refusal`).
 */
function createRouter(routes: readonly Route[], refusal: Refusal = problem): Router {
  const table = routes.map(compile);
  return async (context) => {
    const { request, path } = context;
    const named = `/${path.segments.join('/')}`;
    const matches = matchPath(table, path);
    if (matches.length === 0) {
      return refusal(new XRegistryError(XRegistryErrorType.apiNotFound, `${named} is not an API of this registry`), request.path);
    }
    const match = matches.find(({ route }) => route.method === request.method || route.method === ANY_METHOD);
    if (match !== undefined) return match.route.handler(context, match.params);
    const refused = refusal(new XRegistryError(XRegistryErrorType.methodNotAllowed, `${request.method} is not supported on ${named}`), request.path);
    const allow = [...new Set(matches.map(({ route }) => route.method))].join(', ');
    return { ...refused, headers: { ...refused.headers, allow } };
  };
}

export { createRouter };
export type { Refusal, Router };
