import type { RouteRequest, RouteResponse, RouteResult } from '../../contracts/index.ts';
import { FailureReason, IngestError, type RecordFailure, Stage } from '../../failures/index.ts';
import type { RouteLookup } from '../../routes/index.ts';
import { formatRouteKey, type RouteKey, routeKeyFromSubject } from '../../names/index.ts';
import type { SinkTarget } from '../../sinks/index.ts';

type RouteDeps = { readonly routes: RouteLookup };

/** A subject's answer, the same for every record on it; `id` is filled in per record. */
type SubjectAnswer =
  | { readonly ok: true; readonly sinks: readonly SinkTarget[]; readonly deadLetterSubject: string; readonly retryBudget?: number }
  | {
      readonly ok: false;
      readonly failure: RecordFailure;
      readonly deadLetterSubject?: string;
      readonly routeKey?: RouteKey;
    };

async function routeSubject(subject: string, deps: RouteDeps): Promise<SubjectAnswer> {
  let deadLetterSubject: string | undefined;
  let routeKey: RouteKey | undefined;
  try {
    routeKey = routeKeyFromSubject(subject, Stage.route);
    const route = await deps.routes.require(routeKey, Stage.route);
    deadLetterSubject = route.deadLetterSubject;
    const sinks: SinkTarget[] = [];
    for (const sink of route.sinks) {
      if (sink.kind === 'invalid') {
        throw new IngestError(Stage.route, FailureReason.unknownSink, `route ${formatRouteKey(routeKey)}: ${sink.problem}`, { retryable: false });
      }
      sinks.push(sink);
    }
    return { ok: true, sinks, deadLetterSubject, ...(route.retryBudget === undefined ? {} : { retryBudget: route.retryBudget }) };
  } catch (error) {
    if (error instanceof IngestError) return { ok: false, failure: error.toFailure(), deadLetterSubject, routeKey };
    throw error;
  }
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
