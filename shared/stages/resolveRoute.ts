import type { Failed } from '../contracts/index.ts';
import { IngestError, type Stage } from '../failures/index.ts';
import { type RouteKey, routeKeyFromSubject } from '../names/index.ts';
import type { RouteLookup, RouteRecord } from '../routes/index.ts';

/**
 * A subject's route and what one stage takes from it, or the failed answer (but for its `id`)
 * every record on the subject gets: it names the route key and dead-letter subject as far as they
 * were learnt before the failure.
 */
type ResolvedRoute<T> = { readonly ok: true; readonly routeKey: RouteKey; readonly route: RouteRecord; readonly accepted: T } | Omit<Failed, 'id'>;

/**
 * Subject to route key to registered route, the same for validate and route. `accept` is the
 * stage's own judgement of the route: what it needs from it, or an IngestError when it cannot use
 * it. An error that is not an IngestError is a bug and is thrown, failing the whole invocation.
 */
async function resolveRoute<T>(
  subject: string,
  stage: Stage,
  routes: RouteLookup,
  accept: (route: RouteRecord, routeKey: RouteKey) => T,
): Promise<ResolvedRoute<T>> {
  let routeKey: RouteKey | undefined;
  let deadLetterSubject: string | undefined;
  try {
    routeKey = routeKeyFromSubject(subject, stage);
    const route = await routes.require(routeKey, stage);
    deadLetterSubject = route.deadLetterSubject;
    return { ok: true, routeKey, route, accepted: accept(route, routeKey) };
  } catch (error) {
    if (error instanceof IngestError) return { ok: false, failure: error.toFailure(), routeKey, deadLetterSubject };
    throw error;
  }
}

export { resolveRoute };
export type { ResolvedRoute };
