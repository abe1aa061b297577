import type { SinkWriteRecord, SinkWriteRequest, SinkWriteResponse, SinkWriteResult } from '../../shared/contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../shared/failures/index.ts';
import type { SinkTarget } from '../../shared/registry/index.ts';
import type { Sink } from '../../shared/sinks/index.ts';

type SinkWriteDeps = {
  /** The sinks this deployment can write to, by kind. */
  readonly sinks: ReadonlyMap<string, Sink>;
};

function targetKey(target: SinkTarget): string {
  return JSON.stringify(target);
}

function failAll(records: readonly SinkWriteRecord[], error: IngestError): SinkWriteResult[] {
  return records.map((record) => ({ id: record.id, ok: false, failure: error.toFailure() }));
}

async function writeGroup(records: readonly SinkWriteRecord[], deps: SinkWriteDeps): Promise<SinkWriteResult[]> {
  const target = records[0]!.sink;
  const sink = deps.sinks.get(target.kind);
  if (sink === undefined) {
    return failAll(records, new IngestError(Stage.sinkWrite, FailureReason.unknownSink, `no sink of kind "${target.kind}"`, {
      retryable: false,
    }));
  }
  try {
    return await sink.write(target, records);
  } catch (error) {
    if (error instanceof IngestError) return failAll(records, error);
    throw error;
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
