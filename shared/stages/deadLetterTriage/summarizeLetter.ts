import type { StoredLetter } from '../../deadletters/index.ts';

/** A dead letter in one line of a list: why and when it failed, and what replays made of it. */
type LetterSummary = {
  readonly id: string;
  readonly subject: string;
  readonly routeKey: string | null;
  readonly stage: string;
  readonly reason: string;
  readonly message: string;
  readonly attempts: number;
  readonly replayCount: number;
  readonly parked: boolean;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly eventId: string | null;
};

/** The summary of a stored letter; `parked` is a plain boolean (the letter leaves it out until dlq-replay parks it). */
function summarizeLetter(stored: StoredLetter): LetterSummary {
  const { letter } = stored;
  return {
    id: letter.id,
    subject: letter.subject,
    routeKey: letter.routeKey,
    stage: letter.stage,
    reason: letter.reason,
    message: letter.message,
    attempts: letter.attempts,
    replayCount: letter.replayCount,
    parked: letter.parked === true,
    firstFailedAt: letter.firstFailedAt,
    lastFailedAt: letter.lastFailedAt,
    eventId: letter.eventId,
  };
}

export { summarizeLetter };
export type { LetterSummary };
