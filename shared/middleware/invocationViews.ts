import type { FunctionMetricKey } from '../telemetry/index.ts';

/**
 * What one invocation counted, by the function metric catalog's keys; the failures also by reason.
 * Pure data, so the counting is tested without Powertools and the stage logic never counts.
 */
type InvocationTally = {
  readonly counts: Readonly<Partial<Record<FunctionMetricKey, number>>>;
  /** For the catalog's `byReason` metrics: reason → count. */
  readonly byReason: Readonly<Partial<Record<FunctionMetricKey, Readonly<Record<string, number>>>>>;
};

/** The correlation fields of one invocation's log lines. */
type Correlation = {
  /** Powertools' `correlation_id`; undefined leaves the Lambda request id (`function_request_id`) alone to correlate. */
  readonly id: string | undefined;
  /** More fields for every line of the invocation (counts, never payloads). */
  readonly keys: Readonly<Record<string, string | number>>;
};

/**
 * How the telemetry middleware reads one function's requests and answers. Both take `unknown`:
 * the middleware runs before the request shape is checked, and a malformed request must be
 * counted, not crash the counting.
 */
type InvocationView = {
  correlation(event: unknown, requestId: string): Correlation;
  /** `response` is undefined when the invocation failed. */
  tally(event: unknown, response: unknown): InvocationTally;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const arrayField = (value: unknown, key: string): readonly unknown[] | undefined => {
  const field = isObject(value) ? value[key] : undefined;
  return Array.isArray(field) ? field : undefined;
};

function increment(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/**
 * validate, route and sink-write: `{records}` in, `{results}` out, a result either `ok: true` or a
 * failure `{stage, reason, retryable}` (shared/failures). The first record's id (a stream sequence;
 * for route a subject) and the record count tie the lines to the bridge's batch.
 */
const stageView: InvocationView = {
  correlation(event) {
    const records = arrayField(event, 'records') ?? [];
    const first = records[0];
    const firstId = isObject(first) && typeof first.id === 'string' ? first.id : undefined;
    return { id: firstId, keys: { record_count: records.length, ...(firstId === undefined ? {} : { first_record_id: firstId }) } };
  },
  tally(event, response) {
    const recordsIn = arrayField(event, 'records')?.length ?? 0;
    const results = arrayField(response, 'results');
    if (results === undefined) return { counts: { recordsIn }, byReason: {} };
    let ok = 0;
    let rejected = 0;
    const reasons: Record<string, number> = {};
    for (const result of results) {
      if (!isObject(result)) continue;
      if (result.ok === true) {
        ok++;
        continue;
      }
      const failure = isObject(result.failure) ? result.failure : {};
      increment(reasons, typeof failure.reason === 'string' ? failure.reason : 'unknown');
      if (failure.retryable === false) rejected++;
    }
    const failed = Object.values(reasons).reduce((sum, count) => sum + count, 0);
    return { counts: { recordsIn, recordsOk: ok, recordsFailed: failed, recordsRejected: rejected }, byReason: { recordsFailed: reasons } };
  },
};

/** registry-api: one HTTP request each; a status of 400 and up is a problem document, counted by status. */
const registryApiView: InvocationView = {
  correlation(event) {
    const context = isObject(event) ? event.requestContext : undefined;
    const httpRequestId = isObject(context) && typeof context.requestId === 'string' ? context.requestId : undefined;
    return { id: httpRequestId, keys: {} };
  },
  tally(_event, response) {
    const status = isObject(response) && typeof response.statusCode === 'number' ? response.statusCode : undefined;
    // An invocation that threw is a 5xx as API Gateway answers it.
    const failedStatus = status === undefined ? '500' : status >= 400 ? String(status) : undefined;
    if (failedStatus === undefined) return { counts: { requests: 1, requestsFailed: 0 }, byReason: {} };
    return { counts: { requests: 1, requestsFailed: 1 }, byReason: { requestsFailed: { [failedStatus]: 1 } } };
  },
};

/** dlq-replay: its report `{examined, counts: {replayed, 'would-replay', parked, ...}}`. */
const dlqReplayView: InvocationView = {
  correlation: (_event, requestId) => ({ id: requestId, keys: {} }),
  tally(_event, response) {
    if (!isObject(response) || !isObject(response.counts) || typeof response.examined !== 'number') return { counts: {}, byReason: {} };
    const count = (outcome: string): number => {
      const value = (response.counts as Record<string, unknown>)[outcome];
      return typeof value === 'number' ? value : 0;
    };
    return {
      counts: { lettersExamined: response.examined, lettersReplayed: count('replayed') + count('would-replay'), lettersParked: count('parked') },
      byReason: {},
    };
  },
};

export { dlqReplayView, registryApiView, stageView };
export type { Correlation, InvocationTally, InvocationView };
