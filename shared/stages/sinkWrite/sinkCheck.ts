import type { SinkCheckRequest, SinkCheckResponse, SinkCheckResult } from '../../contracts/index.ts';
import type { DeliveryLedger } from '../../deliveries/index.ts';
import { FailureReason, IngestError, Stage } from '../../failures/index.ts';
import { parseSinkTarget, type Sink, sinkIdentity } from '../../sinks/index.ts';

type SinkCheckDeps = {
  readonly sinks: ReadonlyMap<string, Sink>;
  readonly ledger: DeliveryLedger;
};

function failAll(request: SinkCheckRequest, error: IngestError): SinkCheckResponse {
  const failure = error.toFailure();
  return { results: request.records.map((record) => ({ id: record.id, ok: false, failure })) };
}

/**
 * Answers, per record, whether the request's target already holds the event: from the sink itself
 * where it can be asked (a table, by its key), else from the fan-out delivery state. Writes nothing.
 * A failure (the database is down) means "cannot tell", and the bridge then dead-letters as before.
 */
async function runSinkCheck(request: SinkCheckRequest, deps: SinkCheckDeps): Promise<SinkCheckResponse> {
  if (request.records.length === 0) return { results: [] };
  const parsed = parseSinkTarget(request.target);
  if (!parsed.ok)
    return failAll(request, new IngestError(Stage.sinkWrite, FailureReason.unknownSink, `invalid sink target: ${parsed.problem}`, { retryable: false }));
  const target = parsed.target;
  const sink = deps.sinks.get(target.kind);
  if (sink === undefined)
    return failAll(
      request,
      new IngestError(Stage.sinkWrite, FailureReason.unknownSink, `no sink of kind "${target.kind}" in this deployment`, { retryable: false }),
    );
  const eventIds = request.records.map((record) => record.eventId);
  try {
    const [remembered, held] = await Promise.all([
      deps.ledger.delivered(sinkIdentity(target), eventIds),
      sink.has === undefined ? undefined : sink.has(target, eventIds),
    ]);
    const results = request.records.map((record): SinkCheckResult => {
      const id = record.eventId;
      const delivered = remembered.has(id) || held?.has(id) === true ? 'yes' : held === undefined ? 'unknown' : 'no';
      return { id: record.id, ok: true, delivered };
    });
    return { results };
  } catch (error) {
    if (error instanceof IngestError) return failAll(request, error);
    throw error;
  }
}

export { runSinkCheck };
export type { SinkCheckDeps };
