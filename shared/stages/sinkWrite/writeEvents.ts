import type { SinkWriteResponse } from '../../contracts/index.ts';
import type { SinkTarget, SinkWriteRecord, SinkWriteResult } from '../../sinks/index.ts';
import type { DeliveryLedger } from '../../deliveries/index.ts';
import { FailureReason, IngestError, Stage } from '../../failures/index.ts';
import type { Logger } from '../../logging/index.ts';
import { parseSinkTarget, type Sink, sinkIdentity } from '../../sinks/index.ts';
import type { TargetGuard } from './targetGuard.ts';

type ParsedTarget = Extract<ReturnType<typeof parseSinkTarget>, { ok: true }>['target'];

type EventWriteDeps = {
  /** The sinks this deployment can write to, by kind. */
  readonly sinks: ReadonlyMap<string, Sink>;
  /** Per-sink delivery state of fan-out routes. */
  readonly ledger: DeliveryLedger;
  /** Deadline and circuit breaker per target; without it a target is written to unguarded. */
  readonly guard?: TargetGuard;
  readonly logger?: Logger;
};

function failAll(records: readonly { readonly id: string }[], error: IngestError): SinkWriteResult[] {
  const failure = error.toFailure();
  return records.map((record) => ({ id: record.id, ok: false, failure }));
}

function unknownSink(message: string): IngestError {
  return new IngestError(Stage.sinkWrite, FailureReason.unknownSink, message, { retryable: false });
}

/**
 * The request's target held to the registry's rules again before any sink sees it, because a
 * request can also come from a hand-made `osls invoke`; and this deployment's sink of its kind.
 */
function sinkFor(target: SinkTarget, sinks: ReadonlyMap<string, Sink>): { ok: true; target: ParsedTarget; sink: Sink } | { ok: false; error: IngestError } {
  const parsed = parseSinkTarget(target);
  if (!parsed.ok) return { ok: false, error: unknownSink(`invalid sink target: ${parsed.problem}`) };
  const sink = sinks.get(parsed.target.kind);
  if (sink === undefined) return { ok: false, error: unknownSink(`no sink of kind "${parsed.target.kind}" in this deployment`) };
  return { ok: true, target: parsed.target, sink };
}

async function writeUnguarded(sink: Sink, target: ParsedTarget, records: readonly SinkWriteRecord[]): Promise<SinkWriteResult[]> {
  try {
    return await sink.write(target, records);
  } catch (error) {
    if (error instanceof IngestError) return failAll(records, error);
    // An unexpected error is not known to be the event's fault: the records are retried.
    return failAll(
      records,
      new IngestError(Stage.sinkWrite, FailureReason.sinkUnavailable, `${target.kind} sink failed: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
      }),
    );
  }
}

/** Fan-out records whose event already reached this target, by event id; the others must be written. */
async function alreadyDelivered(identity: string, records: readonly SinkWriteRecord[], ledger: DeliveryLedger): Promise<ReadonlySet<string>> {
  const tracked = records.filter((record) => record.trackDelivery === true).map((record) => record.event.eventId);
  return tracked.length === 0 ? new Set() : ledger.delivered(identity, tracked);
}

/**
 * Writes one group of decoded events to one sink target: what sink-write does once it has decoded
 * a request's records. Fan-out records that come again (`trackDelivery`) and already reached this
 * target are answered as duplicates without calling it, and those written now are remembered, so
 * a retry of an event whose other sink failed does not call this one again.
 */
async function writeEvents(to: SinkTarget, records: readonly SinkWriteRecord[], deps: EventWriteDeps): Promise<SinkWriteResponse> {
  if (records.length === 0) return { results: [] };
  const found = sinkFor(to, deps.sinks);
  if (!found.ok) return { results: failAll(records, found.error) };
  const { target, sink } = found;
  const identity = sinkIdentity(target);

  const results: SinkWriteResult[] = [];
  let pending: readonly SinkWriteRecord[] = records;
  try {
    const delivered = await alreadyDelivered(identity, records, deps.ledger);
    if (delivered.size > 0) {
      const undelivered: SinkWriteRecord[] = [];
      for (const record of records) {
        if (record.trackDelivery === true && delivered.has(record.event.eventId)) results.push({ id: record.id, ok: true, duplicate: true });
        else undelivered.push(record);
      }
      pending = undelivered;
    }
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    // Without the state, a fan-out record cannot tell whether this sink has it: retry those only.
    const tracked = records.filter((record) => record.trackDelivery === true);
    results.push(...failAll(tracked, error));
    pending = records.filter((record) => record.trackDelivery !== true);
  }
  if (pending.length === 0) return { results };

  const write = (): Promise<SinkWriteResult[]> => writeUnguarded(sink, target, pending);
  const written = deps.guard === undefined ? await write() : await deps.guard.run(identity, pending, write);
  results.push(...written);
  // Said explicitly in the answer, so the bridge can export each target's circuit state.
  const circuit = deps.guard?.state(identity);

  const fresh = new Set(written.filter((result) => result.ok).map((result) => result.id));
  const reached = pending.filter((record) => record.trackDelivery === true && fresh.has(record.id)).map((record) => record.event.eventId);
  if (reached.length > 0) {
    try {
      await deps.ledger.remember(identity, reached);
    } catch (error) {
      // The events did reach the sink, so they stay answered as delivered; only a later retry
      // (another sink failing) would write them here again, which the sink's idempotency absorbs.
      deps.logger?.warn('delivery state not saved; a retry may re-drive this sink', { sink: identity, events: reached.length, error });
    }
  }
  return circuit === undefined ? { results } : { results, circuit };
}

export { failAll, sinkFor, writeEvents };
export type { EventWriteDeps };
