import { type DeadLetter, type DeadLetterStore, MissingOriginalError, type OriginalContent, type StoredLetter } from '../../deadletters/index.ts';
import type { RecordFailure } from '../../failures/index.ts';

/** Which dead letters a run looks at. */
type ReplayFilter = {
  /** Letter ids (`<stream>:<sequence>` of the original message). */
  readonly ids?: readonly string[];
  readonly reason?: string;
  readonly routeKey?: string;
  readonly subject?: string;
  /** ISO-8601: only letters whose last failure was at or after this time. */
  readonly since?: string;
  readonly until?: string;
};

type ReplayRequest = ReplayFilter & {
  /** Report what would now succeed, change nothing. */
  readonly dryRun?: boolean;
  readonly limit?: number;
};

type ReplayOutcome = 'replayed' | 'would-replay' | 'still-failing' | 'parked' | 'deferred' | 'already-parked';

type ReplayReport = {
  readonly dryRun: boolean;
  readonly examined: number;
  readonly counts: Readonly<Record<ReplayOutcome, number>>;
  readonly items: readonly { id: string; subject: string; reason: string; outcome: ReplayOutcome; detail?: string }[];
};

/** Can the event pass validate and route now? Sink failures cannot be known before writing. */
type CheckResult = { readonly ok: true } | { readonly ok: false; readonly failure: RecordFailure };

type ReplayDeps = {
  readonly store: DeadLetterStore;
  readonly check: (letter: DeadLetter, original: OriginalContent) => Promise<CheckResult>;
  /** Publishes the original message again, through the normal chain. */
  readonly republish: (letter: DeadLetter, original: OriginalContent) => Promise<void>;
  readonly maxReplays: number;
  readonly limit: number;
  readonly ratePerSecond: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wall-clock time, for the failure times written into letters. */
  readonly now?: () => Date;
  /** A monotonic clock in ms (default performance.now), for pacing: a wall clock set back must not stall a run. */
  readonly clockMs?: () => number;
};

function matches(letter: DeadLetter, filter: ReplayFilter): boolean {
  if (filter.ids !== undefined && !filter.ids.includes(letter.id)) return false;
  if (filter.reason !== undefined && letter.reason !== filter.reason) return false;
  if (filter.routeKey !== undefined && letter.routeKey !== filter.routeKey) return false;
  if (filter.subject !== undefined && letter.subject !== filter.subject) return false;
  if (filter.since !== undefined && letter.lastFailedAt < new Date(filter.since).toISOString()) return false;
  if (filter.until !== undefined && letter.lastFailedAt > new Date(filter.until).toISOString()) return false;
  return true;
}

/**
 * Re-drives dead letters whose cause is fixed: each is first checked against the current
 * registry (validate + route, no side effects); one that passes is published again to its
 * original subject and goes through the same stages as any event (the sink is idempotent, so an
 * event that had landed before does not land twice). One that still fails stays, with its
 * replay count raised and the new reason, and is parked for good after `maxReplays`.
 */
async function runReplay(request: ReplayRequest, deps: ReplayDeps): Promise<ReplayReport> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = deps.now ?? (() => new Date());
  const clockMs = deps.clockMs ?? (() => performance.now());
  const dryRun = request.dryRun === true;
  const limit = Math.min(request.limit ?? deps.limit, deps.limit);
  const counts: Record<ReplayOutcome, number> = { replayed: 0, 'would-replay': 0, 'still-failing': 0, parked: 0, deferred: 0, 'already-parked': 0 };
  const items: ReplayReport['items'][number][] = [];
  const spacingMs = 1000 / deps.ratePerSecond;
  // Republishes follow a schedule from the first one: the k-th starts no earlier than k spacings
  // after it. Waiting out what is left of each slot (rather than a fixed pause after each) keeps
  // rates above 1000/s honest too, where one slot is shorter than any timer.
  let firstReplayAtMs: number | undefined;
  let replays = 0;
  let examined = 0;

  const record = (stored: StoredLetter, outcome: ReplayOutcome, detail?: string): void => {
    counts[outcome]++;
    items.push({ id: stored.letter.id, subject: stored.letter.subject, reason: stored.letter.reason, outcome, ...(detail === undefined ? {} : { detail }) });
  };

  await deps.store.scan(async (stored) => {
    if (!matches(stored.letter, request)) return true;
    const { letter } = stored;
    // Parked letters are skipped before the limit counts: they gather at the head of the stream,
    // and counting them would let enough of them stop every later letter from being replayed.
    if (letter.parked === true) {
      // Counted, not listed: parked letters can be many, and each run passes them all.
      counts['already-parked']++;
      return true;
    }
    if (examined >= limit) return false;
    examined++;
    let original: OriginalContent;
    try {
      original = await deps.store.original(letter);
    } catch (error) {
      if (!(error instanceof MissingOriginalError)) throw error;
      // Its bytes are gone (the object store's retention passed): it can never be replayed.
      if (!dryRun)
        await deps.store.replace(stored, { ...letter, message: `${letter.message}; ${error.message}`, lastFailedAt: now().toISOString(), parked: true });
      record(stored, 'parked', error.message);
      return true;
    }
    const check = await deps.check(letter, original);
    if (!check.ok && check.failure.retryable) {
      // The registry could not be asked (an outage): no verdict, try again next run.
      record(stored, 'deferred', check.failure.message);
      return true;
    }
    if (check.ok) {
      if (dryRun) {
        record(stored, 'would-replay');
        return true;
      }
      if (firstReplayAtMs === undefined) firstReplayAtMs = clockMs();
      else {
        const waitMs = firstReplayAtMs + replays * spacingMs - clockMs();
        if (waitMs > 0) await sleep(Math.ceil(waitMs));
      }
      replays++;
      await deps.republish(letter, original);
      await deps.store.remove(stored);
      record(stored, 'replayed');
      return true;
    }
    const replayCount = letter.replayCount + 1;
    const parked = replayCount >= deps.maxReplays;
    if (!dryRun) {
      await deps.store.replace(stored, {
        ...letter,
        stage: check.failure.stage,
        reason: check.failure.reason,
        message: check.failure.message,
        replayCount,
        lastFailedAt: now().toISOString(),
        ...(parked ? { parked: true } : {}),
      });
    }
    record(stored, parked ? 'parked' : 'still-failing', `${check.failure.reason}: ${check.failure.message}`);
    return true;
  });
  return { dryRun, examined, counts, items };
}

export { matches as matchesReplayFilter, runReplay };
export type { CheckResult, ReplayDeps, ReplayFilter, ReplayReport, ReplayRequest };
