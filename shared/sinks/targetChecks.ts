import type { JsonObject as Json } from '../json/index.ts';
import type { HttpSinkPolicy } from '../config/index.ts';

/**
 * What is known only when a route is being stored: the deployment's streams and HTTP policy and the
 * route's reader schema. A stored target read back later is checked without them (its shape only);
 * the sinks re-check the deployment rules themselves before writing.
 */
type StoreChecks = {
  readonly streams: { readonly ingest: readonly string[]; readonly deadLetter: readonly string[] };
  /** Undefined where routes are stored without an HTTP policy: HTTP sinks are then refused. */
  readonly http: HttpSinkPolicy | undefined;
  readonly schema: unknown;
};

/** The first attribute of `value` not in `allowed`, as a problem. */
function unknownAttributeProblem(value: Json, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  return extra === undefined ? undefined : `ingestion.sink has unknown attribute "${extra}"`;
}

export { unknownAttributeProblem };
export type { Json, StoreChecks };
