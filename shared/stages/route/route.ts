import type { Failed, RouteRequest, RouteResponse, RouteResult } from '../../contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../failures/index.ts';
import { formatRouteKey, type RouteKey } from '../../names/index.ts';
import type { RouteLookup, RouteRecord } from '../../routes/index.ts';
import type { SinkTarget } from '../../sinks/index.ts';
import { resolveRoute } from '../resolveRoute.ts';

type RouteDeps = { readonly routes: RouteLookup };

/** A subject's answer, the same for every record on it; `id` is filled in per record. */
type SubjectAnswer =
  | { readonly ok: true; readonly sinks: readonly SinkTarget[]; readonly deadLetterSubject: string; readonly retryBudget?: number }
  | Omit<Failed, 'id'>;

/** The route's sinks, all of them trusted; one the registry could not re-check fails the route. */
function trustedSinks(route: RouteRecord, routeKey: RouteKey): SinkTarget[] {
  const sinks: SinkTarget[] = [];
  for (const sink of route.sinks) {
    if (sink.kind === 'invalid') {
      throw new IngestError(Stage.route, FailureReason.unknownSink, `route ${formatRouteKey(routeKey)}: ${sink.problem}`, { retryable: false });
    }
    sinks.push(sink);
  }
  return sinks;
}

async function routeSubject(subject: string, deps: RouteDeps): Promise<SubjectAnswer> {
  const resolved = await resolveRoute(subject, Stage.route, deps.routes, trustedSinks);
  if (!resolved.ok) return resolved;
  const { route, accepted: sinks } = resolved;
  return { ok: true, sinks, deadLetterSubject: route.deadLetterSubject, ...(route.retryBudget === undefined ? {} : { retryBudget: route.retryBudget }) };
}

/**
 * Turns each record's subject into a route key and answers with the sinks the registry names.
 * Each distinct subject is resolved once per request; a batch rarely holds more than a few.
 */
async function runRoute(request: RouteRequest, deps: RouteDeps): Promise<RouteResponse> {
  const pending = new Map<string, Promise<SubjectAnswer>>();
  for (const record of request.records) {
    if (!pending.has(record.subject)) pending.set(record.subject, routeSubject(record.subject, deps));
  }
  const answers = new Map<string, SubjectAnswer>();
  await Promise.all([...pending].map(async ([subject, answer]) => answers.set(subject, await answer)));
  const results = request.records.map((record): RouteResult => ({ id: record.id, ...answers.get(record.subject)! }));
  return { results };
}

export { runRoute };
export type { RouteDeps };
