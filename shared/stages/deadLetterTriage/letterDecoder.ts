import type { DeadLetter, OriginalContent } from '../../deadletters/index.ts';
import { decodeRecords, type DecodeDeps } from '../decodeRecords.ts';
import { letterAsRawRecord } from '../dlqReplay/check.ts';

/** A letter's payload decoded with the registry as it is now, or why it does not decode. */
type DecodedPayload = { readonly ok: true; readonly event: unknown } | { readonly ok: false; readonly reason: string; readonly message: string };

type LetterDecoder = (letter: DeadLetter, original: OriginalContent) => Promise<DecodedPayload>;

/**
 * Decodes a letter's original as validate and sink-write would now (the same decodeRecords, the
 * record built as dlq-replay's check builds it), keeping the event validate does not return:
 * `event` is the decoded record as JSON, what `ingest dlq show` prints as `decoded`.
 */
function createLetterDecoder(deps: DecodeDeps): LetterDecoder {
  return async (letter, original) => {
    const [result] = await decodeRecords([letterAsRawRecord(letter, original, 'show')], deps, (_record, decoded) => decoded.toEvent());
    // decodeRecords answers once per record, in order: a missing answer is a bug, not a verdict.
    if (result === undefined) throw new Error(`decodeRecords gave no answer for dead letter ${letter.id}`);
    if ('ok' in result) return { ok: false, reason: result.failure.reason, message: result.failure.message };
    return { ok: true, event: result.body };
  };
}

export { createLetterDecoder };
export type { DecodedPayload, LetterDecoder };
