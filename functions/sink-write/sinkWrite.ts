import type { SinkWriteRecord, SinkWriteRequest, SinkWriteResponse, SinkWriteResult } from '../../shared/contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../shared/failures/index.ts';
import type { SinkTarget } from '../../shared/registry/index.ts';
import { describeSinkTarget, parseSinkTarget, type Sink } from '../../shared/sinks/index.ts';
import type { TargetGuard } from './targetGuard.ts';

type ParsedTarget = Extract<ReturnType<typeof parseSinkTarget>, { ok: true }>['target'];

type SinkWriteDeps = {
  /** The sinks this deployment can write to, by kind. */
  readonly sinks: ReadonlyMap<string, Sink>;
  /** Deadline and circuit breaker per target; without it a target is written to unguarded. */
  readonly guard?: TargetGuard;
};

function targetKey(target: SinkTarget): string {
  return JSON.stringify(target);
}

function failAll(records: readonly SinkWriteRecord[], error: IngestError): SinkWriteResult[] {
  return records.map((record) => ({ id: record.id, ok: false, failure: error.toFailure() }));
}

function unknownSink(message: string): IngestError {
  return new IngestError(Stage.sinkWrite, FailureReason.unknownSink, message, { retryable: false });
}

async function writeGroup(records: readonly SinkWriteRecord[], deps: SinkWriteDeps): Promise<SinkWriteResult[]> {
  // The target arrives in the request; it is held to the registry's rules again before any sink
  // sees it, because a request can also come from a hand-made `osls invoke`.
  const parsed = parseSinkTarget(records[0]!.sink);
  if (!parsed.ok) return failAll(records, unknownSink(`invalid sink target: ${parsed.problem}`));
  const target = parsed.target;
  const sink = deps.sinks.get(target.kind);
  if (sink === undefined) return failAll(records, unknownSink(`no sink of kind "${target.kind}" in this deployment`));
  const write = (): Promise<SinkWriteResult[]> => writeUnguarded(sink, target, records);
  return deps.guard === undefined ? write() : deps.guard.run(targetKey(target), describeSinkTarget(target), records, write);
}

async function writeUnguarded(sink: Sink, target: ParsedTarget, records: readonly SinkWriteRecord[]): Promise<SinkWriteResult[]> {
  try {
    return await sink.write(target, records);
  } catch (error) {
    if (error instanceof IngestError) return failAll(records, error);
    // An unexpected error in one sink must not fail the other targets' records in this request:
    // it fails its own, as retryable (it is not known to be the event's fault).
    return failAll(records, new IngestError(Stage.sinkWrite, FailureReason.sinkUnavailable, `${target.kind} sink failed: ${(error as Error).message}`, {
      retryable: true,
      cause: error,
    }));
  }
}

/**
 * Writes each group of records that share a sink target in one call, groups in parallel.
 * A failing target fails only its own records.
 */
async function runSinkWrite(request: SinkWriteRequest, deps: SinkWriteDeps): Promise<SinkWriteResponse> {
  const groups = new Map<string, SinkWriteRecord[]>();
  for (const record of request.records) {
    const key = targetKey(record.sink);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [record]);
    else group.push(record);
  }
  const written = await Promise.all([...groups.values()].map((group) => writeGroup(group, deps)));
  return { results: written.flat() };
}

export { runSinkWrite };
export type { SinkWriteDeps };
