/** The version of the document a replica writes; a reader skips documents of another version. */
const FIGURES_VERSION = 1;

/**
 * One publish of one replica. Counts are cumulative since the replica started, summed over routes
 * (the same tallies the bridge's `/metrics` counters read, so they equal its `*_total` at `t`);
 * latency and lag are over the interval that ends at `t`.
 */
type FiguresPoint = {
  /** Milliseconds since the epoch: when the replica read its counters. */
  readonly t: number;
  readonly committed: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly retried: number;
  readonly received: number;
  /** Publish → commit of the events committed in this interval; null when none was. */
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  /** The shared consumer's backlog as the server last reported it; null when the probe failed. */
  readonly pending: number | null;
  readonly ackPending: number | null;
};

/** Per route: what `/metrics` counts under its `route` label. */
type RouteCounts = {
  readonly committed: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly retried: number;
};

/** A route's counts: cumulative as of the latest point, and over the latest interval alone. */
type RouteFigures = RouteCounts & {
  /** Since the previous point (since the start for the first), so a reader needs no older routes. */
  readonly latest: RouteCounts;
};

type CircuitState = 'open' | 'closed';

/** The JSON document one replica writes under `replica.<replicaId>` in the figures bucket. */
type ReplicaFigures = {
  readonly version: typeof FIGURES_VERSION;
  readonly replica: string;
  /** ISO-8601: when the replica's counters started. */
  readonly startedAt: string;
  /** ISO-8601: when this document was written. */
  readonly publishedAt: string;
  readonly intervalMs: number;
  /** The replica's own last minutes, one point per publish, oldest first. */
  readonly series: readonly FiguresPoint[];
  /** Keyed by the bridge's route label (`unknown` for events whose route was not known). */
  readonly routes: Readonly<Record<string, RouteFigures>>;
  /** Each sink target's circuit as the latest sink-write answer for it reported it. */
  readonly circuits: Readonly<Record<string, CircuitState>>;
};

export { FIGURES_VERSION };
export type { CircuitState, FiguresPoint, ReplicaFigures, RouteCounts, RouteFigures };
