import { type DeadLetterStore, MissingOriginalError, type OriginalContent, type StoredLetter } from '../../deadletters/index.ts';
import type { DecodedPayload, LetterDecoder } from './letterDecoder.ts';
import { type LetterHistoryEntry, letterHistory } from './letterHistory.ts';
import { letterTraceId } from './letterTraceId.ts';
import { type LetterSummary, summarizeLetter } from './summarizeLetter.ts';

/** What one letter says of one sink of a fan-out route. */
type LetterSink = { readonly sink: string; readonly delivered: boolean; readonly reason?: string; readonly message?: string };

/** One dead letter in full, for an operator: the summary, the original, its decoding, its history and trace. */
type LetterDetail = LetterSummary & {
  readonly stream: string;
  readonly streamSequence: number;
  readonly publishedAt: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** Base64 of the original bytes ('' when the original is gone from the object store). */
  readonly payload: string;
  readonly decoded: DecodedPayload;
  /** Each sink's outcome on a fan-out route; [] when the letter has none. */
  readonly sinks: readonly LetterSink[];
  readonly history: readonly LetterHistoryEntry[];
  /** W3C trace id, when the event was traced. */
  readonly traceId: string | null;
};

/** A letter found by id, its original (null when it is gone from the object store) and its decoding now. */
type LetterRead = { readonly stored: StoredLetter; readonly original: OriginalContent | null; readonly decoded: DecodedPayload };

/** `decoded.reason` of a letter whose original expired from (or was deleted in) the object store. */
const ORIGINAL_MISSING = 'original_missing';

/**
 * Finds a letter and decodes its original, for `ingest dlq show` (which prints the letter as
 * stored) and showLetter. A letter whose original is gone is still shown, with why it cannot
 * decode, since the letter alone says why the event failed.
 */
async function readLetter(store: DeadLetterStore, decode: LetterDecoder, id: string): Promise<LetterRead | undefined> {
  const stored = await store.find(id);
  if (stored === undefined) return undefined;
  let original: OriginalContent;
  try {
    original = await store.original(stored.letter);
  } catch (error) {
    if (!(error instanceof MissingOriginalError)) throw error;
    return { stored, original: null, decoded: { ok: false, reason: ORIGINAL_MISSING, message: error.message } };
  }
  return { stored, original, decoded: await decode(stored.letter, original) };
}

/** One letter in full by id; undefined when there is no such letter. */
async function showLetter(store: DeadLetterStore, decode: LetterDecoder, id: string): Promise<LetterDetail | undefined> {
  const read = await readLetter(store, decode, id);
  if (read === undefined) return undefined;
  const { stored, original, decoded } = read;
  const { letter } = stored;
  const headers = original?.headers ?? letter.headers;
  return {
    ...summarizeLetter(stored),
    stream: letter.stream,
    streamSequence: letter.streamSequence,
    publishedAt: letter.publishedAt,
    headers,
    payload: original?.payload ?? '',
    decoded,
    // The view leaves out `retryable`: a letter is past retrying.
    sinks: (letter.sinks ?? []).map((outcome) =>
      outcome.delivered ? { sink: outcome.sink, delivered: true } : { sink: outcome.sink, delivered: false, reason: outcome.reason, message: outcome.message },
    ),
    history: letterHistory(letter),
    traceId: letterTraceId(letter, headers),
  };
}

export { ORIGINAL_MISSING, readLetter, showLetter };
export type { LetterDetail, LetterRead, LetterSink };
