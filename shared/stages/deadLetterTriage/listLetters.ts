import type { DeadLetterStore, StoredLetter } from '../../deadletters/index.ts';
import { matchesReplayFilter, type ReplayFilter } from '../dlqReplay/replay.ts';

/** The letters a filter selects, and counts over all of them. */
type LetterList = {
  /** The first `limit` selected letters, oldest first. */
  readonly letters: StoredLetter[];
  /** Every letter the filter selects, not only the ones in `letters`. */
  readonly total: number;
  readonly byReason: Record<string, number>;
  /** More letters matched than `limit`. */
  readonly truncated: boolean;
};

/**
 * One scan over the whole dead-letter stream: the counts must cover every selected letter, so the
 * scan cannot stop at `limit` (selectLetters does, for callers that only print letters).
 */
async function listLetters(store: DeadLetterStore, filter: ReplayFilter, limit: number): Promise<LetterList> {
  const letters: StoredLetter[] = [];
  const byReason: Record<string, number> = {};
  let total = 0;
  await store.scan(async (stored) => {
    if (!matchesReplayFilter(stored.letter, filter)) return true;
    total++;
    byReason[stored.letter.reason] = (byReason[stored.letter.reason] ?? 0) + 1;
    if (letters.length < limit) letters.push(stored);
    return true;
  });
  return { letters, total, byReason, truncated: total > letters.length };
}

/** The letters the filter selects, oldest first, at most `limit`; the scan stops once it has them (no counts). */
async function selectLetters(store: DeadLetterStore, filter: ReplayFilter, limit = Number.POSITIVE_INFINITY): Promise<StoredLetter[]> {
  const found: StoredLetter[] = [];
  if (limit <= 0) return found;
  await store.scan(async (stored) => {
    if (matchesReplayFilter(stored.letter, filter)) found.push(stored);
    return found.length < limit;
  });
  return found;
}

export { listLetters, selectLetters };
export type { LetterList };
