import type { SinkWriteResult } from '../shared/sinks/index.ts';
import type { RecordFailure, SinkOutcome } from '../shared/failures/index.ts';

type SinkAnswer = { readonly sink: string; readonly result: SinkWriteResult };

type CombinedAnswer = { readonly ok: true; readonly duplicate: boolean } | { readonly ok: false; readonly failure: RecordFailure };

const MESSAGE_LIMIT = 1000;

/**
 * One record's outcome from its sinks' answers. With one sink, that sink's answer. With several
 * (fan-out), delivered only when every sink has the event; otherwise a failure that names each
 * sink's outcome, retryable when any failed sink may succeed later (sinks that already have the
 * event are skipped on the retry), permanent when every failed sink refused it for good.
 */
function combineSinkAnswers(answers: readonly SinkAnswer[]): CombinedAnswer {
  if (answers.length === 1) {
    const result = answers[0]!.result;
    return result.ok ? { ok: true, duplicate: result.duplicate } : { ok: false, failure: result.failure };
  }
  const failed = answers.filter((answer): answer is { sink: string; result: Extract<SinkWriteResult, { ok: false }> } => !answer.result.ok);
  if (failed.length === 0) return { ok: true, duplicate: answers.every((answer) => answer.result.ok && answer.result.duplicate) };

  const sinks: SinkOutcome[] = answers.map(({ sink, result }) =>
    result.ok
      ? { sink, delivered: true }
      : { sink, delivered: false, reason: result.failure.reason, message: result.failure.message, retryable: result.failure.retryable },
  );
  const retryable = failed.filter((answer) => answer.result.failure.retryable);
  // The reason shown is a retryable one while any remains: that is what the bridge acts on.
  const lead = (retryable[0] ?? failed[0]!).result.failure;
  const waits = retryable.map((answer) => answer.result.failure.retryAfterMs).filter((ms): ms is number => ms !== undefined);
  const summary = failed.map((answer) => `${answer.sink}: ${answer.result.failure.message}`).join('; ');
  return {
    ok: false,
    failure: {
      stage: lead.stage,
      reason: lead.reason,
      message: `${failed.length} of ${answers.length} sinks failed: ${summary}`.slice(0, MESSAGE_LIMIT),
      retryable: retryable.length > 0,
      ...(waits.length === 0 ? {} : { retryAfterMs: Math.max(...waits) }),
      sinks,
    },
  };
}

export { combineSinkAnswers };
export type { CombinedAnswer, SinkAnswer };
