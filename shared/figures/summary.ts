import type { FiguresPoint, ReplicaFigures } from './types.ts';

// The console's view types (shared/console/views.ts, a floor above) restated: the unit test
// test/unit/figuresSummary.test.ts fails to compile when the two drift apart.

/** One point of the overview's charts: all replicas together over one interval (views.ts SeriesPoint). */
type SeriesPoint = {
  readonly t: number;
  readonly eventsPerSecond: number;
  readonly errorRate: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  readonly consumerPending: number | null;
  readonly consumerAckPending: number | null;
  readonly settledTotal: number;
  readonly committedTotal: number;
  readonly deadLetteredTotal: number;
};

/** views.ts RouteFiguresView without `subject` and `deadLetterDepth`, which the console adds from the registry and the dead-letter stream. */
type RouteFiguresSummary = {
  readonly route: string;
  readonly eventsPerSecond: number;
  readonly errorsPerSecond: number;
  readonly committedTotal: number;
  readonly deadLetteredTotal: number;
  readonly retriedTotal: number;
  readonly circuits: readonly { readonly sink: string; readonly state: 'open' | 'closed' }[];
};

/** views.ts ReplicaView. */
type ReplicaView = {
  readonly replica: string;
  readonly publishedAt: string;
  readonly stale: boolean;
};

type FiguresSummary = {
  readonly intervalMs: number;
  readonly windowMs: number;
  /** Oldest first, one point per interval in which any replica published. */
  readonly series: readonly SeriesPoint[];
  /** By route label. */
  readonly routes: readonly RouteFiguresSummary[];
  /** By replica id. */
  readonly replicas: readonly ReplicaView[];
  /** Every sink target any replica reported, by identity: `open` when any replica says so. */
  readonly circuits: readonly { readonly sink: string; readonly state: 'open' | 'closed' }[];
};

type SummaryOptions = {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Points older than this are left out (the charts' 15 minutes). */
  readonly windowMs: number;
  /** The buckets' width; default: the largest interval the documents name (5000 when there are none). */
  readonly intervalMs?: number;
  /** A route's sink identities (from the registry), for its row's circuits; without it the rows have none. */
  readonly sinksOfRoute?: (route: string) => readonly string[];
};

/** A replica is stale after this many intervals without a publish. */
const STALE_INTERVALS = 3;
const DEFAULT_INTERVAL_MS = 5000;
/** A rate over less than this is noise (a replica's first moments): the elapsed time is floored here. */
const MIN_RATE_MS = 1000;

type Counts = { committed: number; duplicates: number; deadLettered: number; retried: number };

/** What one replica adds to one bucket. */
type Contribution = Counts & {
  /** Time the counts took; 0 when the point has no baseline (its rates are unknown). */
  elapsedMs: number;
  latency: { p50: number | null; p95: number | null; weight: number }[];
};

type Bucket = {
  readonly perReplica: Map<string, Contribution>;
  lag: { t: number; pending: number | null; ackPending: number | null } | undefined;
};

const ZERO: Counts = { committed: 0, duplicates: 0, deadLettered: 0, retried: 0 };

function wentDown(point: FiguresPoint, previous: FiguresPoint): boolean {
  return (
    point.committed < previous.committed ||
    point.duplicates < previous.duplicates ||
    point.deadLettered < previous.deadLettered ||
    point.retried < previous.retried ||
    point.received < previous.received
  );
}

/**
 * What a point counted since the point before it. A first point counts from zero when the replica
 * started within about an interval before it; otherwise (its predecessors aged out of the series)
 * it is only a baseline. Counters that went down mean the counting started again (a restart that
 * kept its id): the point counts from zero, never a negative rate.
 */
function deltaOf(series: readonly FiguresPoint[], index: number, startedAtMs: number, intervalMs: number): { counts: Counts; elapsedMs: number } | undefined {
  const point = series[index]!;
  const previous = series[index - 1];
  let base: Counts;
  let elapsedMs: number;
  if (previous === undefined) {
    if (!(point.t - startedAtMs <= 1.5 * intervalMs)) return undefined;
    base = ZERO;
    elapsedMs = point.t - startedAtMs;
  } else {
    base = wentDown(point, previous) ? ZERO : previous;
    elapsedMs = point.t - previous.t;
  }
  return {
    counts: {
      committed: point.committed - base.committed,
      duplicates: point.duplicates - base.duplicates,
      deadLettered: point.deadLettered - base.deadLettered,
      retried: point.retried - base.retried,
    },
    elapsedMs: Math.max(elapsedMs, 0),
  };
}

function bucketsOf(docs: readonly ReplicaFigures[], intervalMs: number, cutoff: number): Map<number, Bucket> {
  const buckets = new Map<number, Bucket>();
  for (const doc of docs) {
    const startedAtMs = Date.parse(doc.startedAt);
    doc.series.forEach((point, index) => {
      if (point.t < cutoff) return;
      const at = Math.round(point.t / intervalMs) * intervalMs;
      let bucket = buckets.get(at);
      if (bucket === undefined) {
        bucket = { perReplica: new Map(), lag: undefined };
        buckets.set(at, bucket);
      }
      let mine = bucket.perReplica.get(doc.replica);
      if (mine === undefined) {
        mine = { ...ZERO, elapsedMs: 0, latency: [] };
        bucket.perReplica.set(doc.replica, mine);
      }
      const delta = deltaOf(doc.series, index, startedAtMs, doc.intervalMs);
      if (delta !== undefined) {
        mine.committed += delta.counts.committed;
        mine.duplicates += delta.counts.duplicates;
        mine.deadLettered += delta.counts.deadLettered;
        mine.retried += delta.counts.retried;
        mine.elapsedMs += delta.elapsedMs;
      }
      mine.latency.push({ p50: point.latencyP50Ms, p95: point.latencyP95Ms, weight: delta?.counts.committed ?? 0 });
      // One consumer for all replicas: its latest report, not a sum.
      if (point.pending !== null && (bucket.lag === undefined || point.t > bucket.lag.t)) {
        bucket.lag = { t: point.t, pending: point.pending, ackPending: point.ackPending };
      }
    });
  }
  return buckets;
}

/**
 * Latency of all replicas together, from each one's own p50 and p95 (their samples are not in the
 * document). p95: the largest replica p95, an upper bound of the true one (never hides a slow
 * replica). p50: the replicas' p50s weighted by what each committed, so an idle replica's few
 * events do not pull the middle around; a plain mean when no weight is known.
 */
function mergeLatency(entries: readonly { p50: number | null; p95: number | null; weight: number }[]): { p50: number | null; p95: number | null } {
  let p95: number | null = null;
  let weighted = 0;
  let weights = 0;
  let plain = 0;
  let known = 0;
  for (const entry of entries) {
    if (entry.p95 !== null) p95 = p95 === null ? entry.p95 : Math.max(p95, entry.p95);
    if (entry.p50 === null) continue;
    weighted += entry.p50 * entry.weight;
    weights += entry.weight;
    plain += entry.p50;
    known++;
  }
  if (known === 0) return { p50: null, p95 };
  return { p50: weights > 0 ? weighted / weights : plain / known, p95 };
}

/** Per replica, its latest cumulative counts at each bucket: the last point at or before it, within the replica's own span. */
function totalsAt(
  docs: readonly ReplicaFigures[],
  times: readonly number[],
  intervalMs: number,
): { settled: number; committed: number; deadLettered: number }[] {
  const totals = times.map(() => ({ settled: 0, committed: 0, deadLettered: 0 }));
  for (const doc of docs) {
    const { series } = doc;
    if (series.length === 0) continue;
    const bucketOf = (t: number): number => Math.round(t / intervalMs) * intervalMs;
    const last = bucketOf(series.at(-1)!.t);
    let next = 0;
    let latest: FiguresPoint | undefined;
    times.forEach((at, index) => {
      while (next < series.length && bucketOf(series[next]!.t) <= at) latest = series[next++];
      if (latest === undefined || at > last) return;
      totals[index]!.settled += latest.committed + latest.duplicates + latest.deadLettered;
      totals[index]!.committed += latest.committed;
      totals[index]!.deadLettered += latest.deadLettered;
    });
  }
  return totals;
}

function seriesOf(docs: readonly ReplicaFigures[], intervalMs: number, cutoff: number): SeriesPoint[] {
  const buckets = bucketsOf(docs, intervalMs, cutoff);
  const times = [...buckets.keys()].sort((a, b) => a - b);
  const totals = totalsAt(docs, times, intervalMs);
  return times.map((t, index) => {
    const bucket = buckets.get(t)!;
    let eventsPerSecond = 0;
    let errors = 0;
    let decided = 0;
    const latency: Contribution['latency'] = [];
    for (const mine of bucket.perReplica.values()) {
      latency.push(...mine.latency);
      if (mine.elapsedMs === 0 && mine.committed + mine.duplicates + mine.deadLettered + mine.retried === 0) continue;
      // Rates per replica over its own elapsed time, then summed: a late publish does not double a rate.
      eventsPerSecond += ((mine.committed + mine.duplicates + mine.deadLettered) * 1000) / Math.max(mine.elapsedMs, MIN_RATE_MS);
      errors += mine.deadLettered + mine.retried;
      decided += mine.committed + mine.duplicates + mine.deadLettered + mine.retried;
    }
    const merged = mergeLatency(latency);
    return {
      t,
      eventsPerSecond,
      errorRate: decided === 0 ? null : errors / decided,
      latencyP50Ms: merged.p50,
      latencyP95Ms: merged.p95,
      consumerPending: bucket.lag?.pending ?? null,
      consumerAckPending: bucket.lag?.ackPending ?? null,
      settledTotal: totals[index]!.settled,
      committedTotal: totals[index]!.committed,
      deadLetteredTotal: totals[index]!.deadLettered,
    };
  });
}

function isStale(doc: ReplicaFigures, now: number): boolean {
  return now - Date.parse(doc.publishedAt) > STALE_INTERVALS * doc.intervalMs;
}

function circuitsOf(docs: readonly ReplicaFigures[]): Map<string, 'open' | 'closed'> {
  const circuits = new Map<string, 'open' | 'closed'>();
  for (const doc of docs) {
    for (const [sink, state] of Object.entries(doc.circuits)) if (circuits.get(sink) !== 'open') circuits.set(sink, state);
  }
  return circuits;
}

/**
 * Per route: totals summed over every replica; rates over each live replica's latest interval,
 * summed (a stale replica's last interval is old news, so it adds no rate).
 */
function routesOf(
  docs: readonly ReplicaFigures[],
  now: number,
  circuits: ReadonlyMap<string, 'open' | 'closed'>,
  options: SummaryOptions,
): RouteFiguresSummary[] {
  const rows = new Map<string, { eventsPerSecond: number; errorsPerSecond: number; committedTotal: number; deadLetteredTotal: number; retriedTotal: number }>();
  for (const doc of docs) {
    const { series } = doc;
    const last = series.at(-1);
    const from = series.at(-2)?.t ?? Date.parse(doc.startedAt);
    const seconds = last === undefined || isStale(doc, now) ? undefined : Math.max(last.t - from, MIN_RATE_MS) / 1000;
    for (const [route, figures] of Object.entries(doc.routes)) {
      let row = rows.get(route);
      if (row === undefined) {
        row = { eventsPerSecond: 0, errorsPerSecond: 0, committedTotal: 0, deadLetteredTotal: 0, retriedTotal: 0 };
        rows.set(route, row);
      }
      row.committedTotal += figures.committed;
      row.deadLetteredTotal += figures.deadLettered;
      row.retriedTotal += figures.retried;
      if (seconds === undefined) continue;
      const { latest } = figures;
      row.eventsPerSecond += (latest.committed + latest.duplicates + latest.deadLettered) / seconds;
      row.errorsPerSecond += (latest.deadLettered + latest.retried) / seconds;
    }
  }
  return [...rows]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, row]) => ({
      route,
      ...row,
      circuits: (options.sinksOfRoute?.(route) ?? []).map((sink) => ({ sink, state: circuits.get(sink) ?? 'closed' })),
    }));
}

/**
 * The overview's figures from every replica's document: points aligned on interval buckets (each
 * point's time rounded to the interval), rates from each replica's own consecutive points summed
 * over replicas, the consumer's lag as the latest replica saw it, cumulative totals summed.
 */
function summarizeFigures(docs: readonly ReplicaFigures[], options: SummaryOptions): FiguresSummary {
  const intervalMs = options.intervalMs ?? (docs.length === 0 ? DEFAULT_INTERVAL_MS : Math.max(...docs.map((doc) => doc.intervalMs)));
  const { now, windowMs } = options;
  const circuits = circuitsOf(docs);
  return {
    intervalMs,
    windowMs,
    series: seriesOf(docs, intervalMs, now - windowMs),
    routes: routesOf(docs, now, circuits, options),
    replicas: [...docs]
      .sort((a, b) => a.replica.localeCompare(b.replica))
      .map((doc) => ({ replica: doc.replica, publishedAt: doc.publishedAt, stale: isStale(doc, now) })),
    circuits: [...circuits].sort(([a], [b]) => a.localeCompare(b)).map(([sink, state]) => ({ sink, state })),
  };
}

export { summarizeFigures };
export type { FiguresSummary, ReplicaView, RouteFiguresSummary, SeriesPoint, SummaryOptions };
