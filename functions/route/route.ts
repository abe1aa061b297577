import type { RouteRequest, RouteResponse, RouteResult } from '../../shared/contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../shared/failures/index.ts';
import { type RouteLookup, formatRouteKey, routeKeyFromSubject } from '../../shared/registry/index.ts';

type RouteDeps = { readonly routes: RouteLookup };

async function routeRecord(record: { id: string; subject: string }, deps: RouteDeps): Promise<RouteResult> {
  let deadLetterSubject: string | undefined;
  let routeKey: string | undefined;
  try {
    const key = routeKeyFromSubject(record.subject, Stage.route);
    routeKey = formatRouteKey(key);
    const route = await deps.routes.require(key, Stage.route);
    deadLetterSubject = route.deadLetterSubject;
    if (route.sink.kind === 'invalid') {
      throw new IngestError(Stage.route, FailureReason.unknownSink, `route ${formatRouteKey(key)}: ${route.sink.problem}`, {
        retryable: false,
      });
    }
    return { id: record.id, ok: true, sink: route.sink, deadLetterSubject, ...(route.retryBudget === undefined ? {} : { retryBudget: route.retryBudget }) };
  } catch (error) {
    if (error instanceof IngestError) return { id: record.id, ok: false, failure: error.toFailure(), deadLetterSubject, routeKey };
    throw error;
  }
}

/** Turns each record's subject into a route key and answers with the sink the registry names. */
async function runRoute(request: RouteRequest, deps: RouteDeps): Promise<RouteResponse> {
  return { results: await Promise.all(request.records.map((record) => routeRecord(record, deps))) };
}

export { runRoute };
export type { RouteDeps };
