import { formatRouteKey } from '../shared/names/index.ts';
import { UNKNOWN_ROUTE } from '../shared/telemetry/index.ts';
import type { Outcome } from './pipeline.ts';

/**
 * The `route` attribute of an outcome's metrics: its route key only when the registry knew the
 * route, else `unknown`. A subject that parses is not enough (anyone can publish `x.y.v9` into the
 * ingest stream, and each such key would be a new series): the route is known when the record was
 * committed, or when the failing stage named the route's dead-letter subject, which only a stage
 * that resolved the route does (validate, route, and the sink stage after it).
 */
function routeLabel(outcome: Outcome): string {
  if (outcome.routeKey === null) return UNKNOWN_ROUTE;
  if (outcome.kind === 'committed' || outcome.deadLetterSubject !== undefined) return formatRouteKey(outcome.routeKey);
  return UNKNOWN_ROUTE;
}

export { routeLabel };
