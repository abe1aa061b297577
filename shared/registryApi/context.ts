import type { ParsedPath } from './paths.ts';
import type { ApiDeps, ApiRequest } from './request.ts';

/** One request on its way through the routes: parsed path and query, its body read on demand. */
type RouteContext = {
  readonly request: ApiRequest;
  readonly deps: ApiDeps;
  readonly path: ParsedPath;
  readonly query: URLSearchParams;
  /** The JSON body (readJsonBody), read only by the routes that take one. */
  readonly body: () => unknown;
  /** `Location` for a created entity at `path`, from the configured public base URL. */
  readonly location: (path: string) => Record<string, string>;
};

export type { RouteContext };
