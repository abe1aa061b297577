import type { RouteContext } from './context.ts';
import type { ApiResponse } from './request.ts';

/** The method of a route that answers whatever the method is: the `$details` refusals. */
const ANY_METHOD = '*';
/** xRegistry's suffix on the last path segment that asks for an entity's metadata instead of its document. */
const DETAILS_SUFFIX = '$details';

/** The decoded path segments a pattern's `:name` placeholders stood for, by name. */
type RouteParams = Readonly<Record<string, string>>;

type RouteHandler = (context: RouteContext, params: RouteParams) => Promise<ApiResponse> | ApiResponse;

/**
 * One line of the API's table. A pattern is `/` or `/`-separated segments, each a literal or a
 * `:name` placeholder for exactly one decoded segment; a pattern that ends in `$details` matches
 * only paths with that suffix, one without it only paths without it.
 */
type Route = { readonly method: string; readonly pattern: string; readonly handler: RouteHandler };

/** The placeholder names of a pattern: `/schemagroups/:group/schemas/:schema$details` gives 'group' | 'schema'. */
type ParamNames<Pattern extends string> = Pattern extends `${string}:${infer Rest}`
  ? Rest extends `${infer Name}/${infer Tail}`
    ? Name | ParamNames<Tail>
    : Rest extends `${infer Name}${typeof DETAILS_SUFFIX}`
      ? Name
      : Rest
  : never;

type ParamsOf<Pattern extends string> = { readonly [Name in ParamNames<Pattern>]: string };

/** A route whose handler sees its pattern's placeholders by name, checked by the compiler. */
function route<Pattern extends string>(
  method: string,
  pattern: Pattern,
  handler: (context: RouteContext, params: ParamsOf<Pattern>) => Promise<ApiResponse> | ApiResponse,
): Route {
  // The router fills every placeholder of the pattern it matched, so the names are all there.
  return { method, pattern, handler: (context, params) => handler(context, params as ParamsOf<Pattern>) };
}

export { ANY_METHOD, DETAILS_SUFFIX, route };
export type { Route, RouteHandler, RouteParams };
