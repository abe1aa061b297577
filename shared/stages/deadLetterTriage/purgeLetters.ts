import type { DeadLetterStore, StoredLetter } from '../../deadletters/index.ts';
import { matchesReplayFilter, type ReplayFilter } from '../dlqReplay/replay.ts';

type PurgeResult = {
  /** Letters the filter selects now. */
  readonly matched: number;
  readonly deleted: number;
  /** Of those matched, how many keep their original in the object store (deleted with them). */
  readonly withStoredOriginals: number;
};

/**
 * The letters a filter selects changed between the count an operator confirmed and the purge:
 * nothing was deleted. Not retryable as it is: the operator must look at the new count.
 */
class PurgeCountChangedError extends Error {
  readonly retryable = false;
  readonly matched: number;
  readonly expected: number;

  constructor(matched: number, expected: number, options?: ErrorOptions) {
    super(`${matched} dead letter(s) match now, not the ${expected} expected; nothing was deleted (count again, then confirm that count)`, options);
    this.name = 'PurgeCountChangedError';
    this.matched = matched;
    this.expected = expected;
  }
}

/**
 * Deletes dead letters for good, with their originals in the object store. Without `expected` it
 * only counts. With it, the selected letters are deleted only when exactly `expected` of them
 * match now (else PurgeCountChangedError, nothing deleted), so what the operator confirmed is what
 * goes. Letters stored after the scan began are never deleted by it.
 */
async function purgeLetters(store: DeadLetterStore, filter: ReplayFilter, options: { readonly expected?: number }): Promise<PurgeResult> {
  const doomed: StoredLetter[] = [];
  await store.scan(async (stored) => {
    if (matchesReplayFilter(stored.letter, filter)) doomed.push(stored);
    return true;
  });
  const matched = doomed.length;
  const withStoredOriginals = doomed.filter((stored) => stored.letter.stored !== undefined).length;
  if (options.expected === undefined) return { matched, deleted: 0, withStoredOriginals };
  if (matched !== options.expected) throw new PurgeCountChangedError(matched, options.expected);
  for (const stored of doomed) await store.remove(stored);
  return { matched, deleted: matched, withStoredOriginals };
}

export { PurgeCountChangedError, purgeLetters };
export type { PurgeResult };
