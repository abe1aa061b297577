import type { DeadLetter } from '../../deadletters/index.ts';

type LetterHistoryEntry = { readonly at: string; readonly what: string };

const plural = (count: number, one: string): string => `${count} ${one}${count === 1 ? '' : 's'}`;

/**
 * What happened to the event, oldest first, as far as its letter tells: the letter keeps only its
 * first and last failure times, its latest reason and a replay count, so this is all there is.
 * - published: `publishedAt`, `stream` and `streamSequence` (when the original reached the stream);
 * - first failed: `firstFailedAt`, only when it is earlier than the last failure (a letter that
 *   failed once, or for good at once, has one failure time and one entry for it);
 * - dead-lettered (no replays yet) or failed again (after replays): `lastFailedAt`, with the
 *   letter's `stage`, `reason` and `attempts` (deliveries of the message that failed), and for
 *   replays `replayCount`: dlq-replay moves `lastFailedAt` when a replay check fails again;
 * - parked: `parked`, at `lastFailedAt`, the rewrite that parked it.
 * Replays have no times of their own in the letter, so they are counted, not listed.
 */
function letterHistory(letter: DeadLetter): LetterHistoryEntry[] {
  const entries: LetterHistoryEntry[] = [
    { at: letter.publishedAt, what: `published on ${letter.subject} (${letter.stream} sequence ${letter.streamSequence})` },
  ];
  if (Date.parse(letter.firstFailedAt) < Date.parse(letter.lastFailedAt)) entries.push({ at: letter.firstFailedAt, what: 'first failed' });
  const cause = `${letter.stage}: ${letter.reason} after ${plural(letter.attempts, 'attempt')}`;
  entries.push({
    at: letter.lastFailedAt,
    what: letter.replayCount === 0 ? `dead-lettered by ${cause}` : `replayed ${plural(letter.replayCount, 'time')}, still failing at ${cause}`,
  });
  if (letter.parked === true) entries.push({ at: letter.lastFailedAt, what: 'parked: dlq-replay will not replay it again' });
  // Stable: entries at the same time keep the order above.
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export { letterHistory };
export type { LetterHistoryEntry };
