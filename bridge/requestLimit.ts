import type { Failed } from '../shared/sinks/index.ts';
import type { Stage } from '../shared/failures/index.ts';
import { RequestTooLargeError } from './errors.ts';

/**
 * The invoke request's body, refused when it is above the limit: the bridge splits what it can,
 * rather than have Lambda refuse the whole batch (RequestEntityTooLargeException) on every retry.
 */
function requestBody(stage: Stage, functionName: string, request: unknown, limit: number): Buffer {
  const body = Buffer.from(JSON.stringify(request));
  if (body.length > limit) throw new RequestTooLargeError(stage, functionName, body.length, limit);
  return body;
}

/**
 * Invokes a stage for `records`, in as many requests as the request limit needs: a request the
 * invoker refuses as too large is split in halves, again and again; a record too large on its own
 * fails for good (`payload_too_large`) and the others still go. A batch costs one request as long
 * as it fits, which is what the batch limits aim for (validate and sink-write both carry the
 * payload as base64, sink-write's record with a little more: its event id and pinned versions);
 * splitting is for a batch whose records are larger than estimated, such as long event ids.
 */
async function invokeWithinLimit<R extends { readonly id: string }, Res extends { readonly id: string }>(
  records: readonly R[],
  invoke: (records: readonly R[]) => Promise<{ readonly results: readonly Res[] }>,
): Promise<{ readonly results: readonly (Res | Failed)[] }> {
  try {
    return await invoke(records);
  } catch (error) {
    if (!(error instanceof RequestTooLargeError)) throw error;
    if (records.length === 1) return { results: [{ id: records[0]!.id, ok: false, failure: error.toFailure() }] };
    const half = Math.ceil(records.length / 2);
    // One after the other, so a split call keeps to the concurrency the caller was given.
    const first = await invokeWithinLimit(records.slice(0, half), invoke);
    const second = await invokeWithinLimit(records.slice(half), invoke);
    return { results: [...first.results, ...second.results] };
  }
}

export { invokeWithinLimit, requestBody };
