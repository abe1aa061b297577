import type { Failed } from '../shared/sinks/index.ts';
import { FailureReason, IngestError, type RecordFailure, type Stage } from '../shared/failures/index.ts';

type StageResult<T> = ({ readonly id: string; readonly ok: true } & T) | Failed;

/**
 * Matches a function's results back to the records it was given. A record the function left out,
 * or answered twice, is a failed (retryable) invocation for that record, never a silent drop.
 */
function collect<T>(stage: Stage, ids: readonly string[], results: unknown): Map<string, StageResult<T>> {
  const byId = new Map<string, StageResult<T>>();
  const wanted = new Set(ids);
  const list =
    typeof results === 'object' && results !== null && Array.isArray((results as { results?: unknown }).results)
      ? (results as { results: StageResult<T>[] }).results
      : [];
  for (const result of list) {
    if (wanted.has(result.id) && !byId.has(result.id)) byId.set(result.id, result);
  }
  for (const id of ids) {
    if (!byId.has(id)) {
      const failure = new IngestError(stage, FailureReason.malformedResponse, `${stage} returned no result for record ${id}`, {
        retryable: true,
      });
      byId.set(id, { id, ok: false, failure: failure.toFailure() });
    }
  }
  return byId;
}

function invocationFailure(error: unknown): RecordFailure {
  if (error instanceof IngestError) return error.toFailure();
  throw error;
}

export { collect, invocationFailure };
export type { StageResult };
