/** What `ingest status` found, source by source; `--json` prints it as it is. */

/** One bridge replica's `/metrics`, as the two scrapes found it. */
type BridgeSource = { readonly url: string; readonly reachable: true } | { readonly url: string; readonly reachable: false; readonly error: string };

/** One route over the scrape interval, summed over the replicas that answered. Rates are per second. */
type RouteStatus = {
  readonly route: string;
  readonly receivedPerSecond: number;
  readonly committedPerSecond: number;
  readonly duplicatesPerSecond: number;
  readonly deadLetteredPerSecond: number;
  readonly retriedPerSecond: number;
  /** Dead-lettered + retried per second. */
  readonly errorsPerSecond: number;
  /** Since each replica started (the counters' values at the second scrape). */
  readonly committed: number;
  readonly duplicates: number;
};

type CircuitStatus = {
  readonly sink: string;
  /** Open when any replica that answered has it open. */
  readonly state: 'open' | 'closed';
  readonly openOnReplicas: number;
  readonly replicas: number;
};

/** The newest answer of one stage any replica saw, by outcome (ISO times; null = none seen). */
type StageStatus = { readonly stage: string; readonly lastOkAt: string | null; readonly lastFailedAt: string | null };

type ConsumerStatus = {
  readonly name: string;
  /** The subjects it takes; empty = the whole stream. */
  readonly filterSubjects: readonly string[];
  readonly pending: number;
  readonly ackPending: number;
  readonly redelivered: number;
};

/** A section read from a source that did not answer. */
type Unavailable = { readonly available: false; readonly error: string };

type ConsumersSection = { readonly available: true; readonly stream: string; readonly consumers: readonly ConsumerStatus[] } | Unavailable;

type Count<K extends string> = { readonly [key in K]: string } & { readonly count: number };

type DeadLettersSection =
  | {
      readonly available: true;
      readonly stream: string;
      /** Messages in the dead-letter stream. */
      readonly total: number;
      /** Every letter, per dead-letter subject (from the stream's own counts). */
      readonly bySubject: readonly Count<'subject'>[];
      /** From the letters read (at most the scan limit, oldest first). */
      readonly byReason: readonly (Count<'reason'> & { readonly stage: string })[];
      readonly byRoute: readonly Count<'route'>[];
      readonly scanned: number;
      /** True when there were more letters than the scan limit: byReason and byRoute count only the oldest. */
      readonly truncated: boolean;
    }
  | Unavailable;

type StatusReport = {
  readonly at: string;
  readonly intervalSeconds: number;
  readonly bridges: readonly BridgeSource[];
  /** From the replicas that answered; empty when none did. */
  readonly routes: readonly RouteStatus[];
  readonly circuits: readonly CircuitStatus[];
  readonly stages: readonly StageStatus[];
  readonly consumers: ConsumersSection;
  readonly deadLetters: DeadLettersSection;
  /**
   * `complete`: every source answered; `partial`: some did not (a bridge replica, or NATS), their
   * sections say why and the rest is shown; `failed`: none did.
   */
  readonly completeness: Completeness;
};

type Completeness = 'complete' | 'partial' | 'failed';

/** Which sources answered: all, some or none. */
function completenessOf(report: Omit<StatusReport, 'completeness'>): Completeness {
  const answered = [...report.bridges.map((bridge) => bridge.reachable), report.consumers.available, report.deadLetters.available];
  if (answered.every(Boolean)) return 'complete';
  return answered.some(Boolean) ? 'partial' : 'failed';
}

export { completenessOf };
export type {
  BridgeSource,
  CircuitStatus,
  Completeness,
  ConsumerStatus,
  ConsumersSection,
  DeadLettersSection,
  RouteStatus,
  StageStatus,
  StatusReport,
  Unavailable,
};
