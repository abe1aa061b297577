import { stageHeadersOf } from '../../cloudevents/index.ts';
import type { RawRecord } from '../../contracts/index.ts';
import type { DeadLetter, OriginalContent } from '../../deadletters/index.ts';
import { runRoute, type RouteDeps } from '../route/route.ts';
import { runValidate, type ValidateDeps } from '../validate/validate.ts';
import type { CheckResult } from './replay.ts';

/** A dead letter's original message as validate takes it. */
function letterAsRawRecord(letter: DeadLetter, original: OriginalContent, id: string): RawRecord {
  const record = { id, subject: letter.subject, payload: original.payload, publishedAtMs: Date.parse(letter.publishedAt) };
  // The original's CloudEvents headers, as the bridge would send them with it.
  const headers = stageHeadersOf(Object.entries(original.headers));
  return headers === undefined ? record : { ...record, headers };
}

/** Runs a dead letter's original bytes through validate and route as they are now configured. */
function createReplayCheck(deps: ValidateDeps & RouteDeps): (letter: DeadLetter, original: OriginalContent) => Promise<CheckResult> {
  return async (letter, original) => {
    const [validated] = (await runValidate({ records: [letterAsRawRecord(letter, original, 'replay')] }, deps)).results;
    if (validated !== undefined && !validated.ok) return { ok: false, failure: validated.failure };
    const [routed] = (await runRoute({ records: [{ id: 'replay', subject: letter.subject }] }, deps)).results;
    if (routed !== undefined && !routed.ok) return { ok: false, failure: routed.failure };
    return { ok: true };
  };
}

export { createReplayCheck, letterAsRawRecord };
