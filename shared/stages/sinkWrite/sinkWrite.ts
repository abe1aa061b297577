import { type Context, ROOT_CONTEXT, SpanKind, type Tracer } from '@opentelemetry/api';
import type { DeliveryRecord, SinkWriteRequest, SinkWriteResponse } from '../../contracts/index.ts';
import type { DeliveryLedger } from '../../deliveries/index.ts';
import { IngestError } from '../../failures/index.ts';
import type { SinkTarget, SinkWriteRecord, SinkWriteResult } from '../../sinks/index.ts';
import { sinkIdentity } from '../../sinks/index.ts';
import { ATTR, markFailed, markFailedResults, SPAN } from '../../telemetry/index.ts';
import type { DecodeDeps } from '../decodeRecords.ts';
import { decodePinned } from './decodePinned.ts';
import { type EventWriteDeps, failAll, sinkFor, writeEvents } from './writeEvents.ts';

/** What sink-write decodes with (the registry and decoders, as validate has) and writes with; `tracer` when tracing is on. */
type SinkWriteDeps = DecodeDeps & EventWriteDeps & { readonly tracer?: Tracer };

/**
 * The write to one target in an `ingest.sink.write` CLIENT span, child of `parent` (the handler's
 * span): the target's kind and identity, the records written, and ERROR with the reasons of those
 * that failed.
 */
function tracedWrite(
  tracer: Tracer,
  parent: Context,
  target: SinkTarget,
  identity: string,
  records: readonly SinkWriteRecord[],
  write: () => Promise<SinkWriteResponse>,
): Promise<SinkWriteResponse> {
  const attributes = { [ATTR.sinkKind]: String(target.kind), [ATTR.sink]: identity, [ATTR.batchCount]: records.length };
  const span = tracer.startSpan(SPAN.sinkWrite, { kind: SpanKind.CLIENT, attributes }, parent);
  return write().then(
    (written) => {
      markFailedResults(span, written.results);
      span.end();
      return written;
    },
    (error: unknown) => {
      markFailed(span, 'sink_write_failed', (error as Error).message);
      span.end();
      throw error;
    },
  );
}

/** Records that the events reached the target (written by an earlier call); decodes and writes nothing. */
async function rememberDeliveries(identity: string, records: readonly DeliveryRecord[], ledger: DeliveryLedger): Promise<SinkWriteResponse> {
  try {
    await ledger.remember(
      identity,
      records.map((record) => record.eventId),
    );
    return { results: records.map((record) => ({ id: record.id, ok: true, duplicate: true })) };
  } catch (error) {
    if (error instanceof IngestError) return { results: failAll(records, error) };
    throw error;
  }
}

/**
 * The sink-write function: one request's records to its one target. Each record is decoded from
 * its payload with the versions validate pinned (decodePinned.ts); one that does not decode fails
 * alone, as validate would have failed it, and the rest are written (writeEvents.ts). A request
 * that only records deliveries decodes nothing. `parent`: the invocation's trace context, for the
 * sink write's span when tracing is on.
 */
async function runSinkWrite(request: SinkWriteRequest, deps: SinkWriteDeps, parent: Context = ROOT_CONTEXT): Promise<SinkWriteResponse> {
  if (request.records.length === 0) return { results: [] };
  const found = sinkFor(request.target, deps.sinks);
  if (!found.ok) return { results: failAll(request.records, found.error) };
  if (request.recordDeliveryOnly === true) return rememberDeliveries(sinkIdentity(found.target), request.records, deps.ledger);

  const failed: SinkWriteResult[] = [];
  const events: SinkWriteRecord[] = [];
  for (const decoded of await decodePinned(request.records, deps)) {
    if ('ok' in decoded) failed.push(decoded);
    else events.push(decoded);
  }
  const write = (): Promise<SinkWriteResponse> => writeEvents(request.target, events, deps);
  const written = deps.tracer === undefined ? await write() : await tracedWrite(deps.tracer, parent, request.target, sinkIdentity(found.target), events, write);
  return failed.length === 0 ? written : { ...written, results: [...failed, ...written.results] };
}

export { runSinkWrite };
export type { SinkWriteDeps };
