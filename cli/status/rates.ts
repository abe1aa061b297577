import { METRICS, prometheusName } from '../../shared/telemetry/index.ts';
import type { CircuitStatus, RouteStatus, StageStatus } from './report.ts';
import type { Sample } from './scrapeText.ts';

/** One `/metrics` answer and when it was asked for. */
type Scrape = { readonly atMs: number; readonly samples: readonly Sample[] };

/** Two scrapes of one replica, `--interval` apart. */
type ReplicaScrapes = { readonly first: Scrape; readonly second: Scrape };

const NAMES = {
  received: prometheusName(METRICS.eventsReceived),
  committed: prometheusName(METRICS.eventsCommitted),
  duplicates: prometheusName(METRICS.eventsDuplicate),
  deadLettered: prometheusName(METRICS.eventsDeadLettered),
  retried: prometheusName(METRICS.eventsRetried),
  circuit: prometheusName(METRICS.circuitState),
  lastAnswer: prometheusName(METRICS.stageLastAnswer),
} as const;

type CounterName = 'received' | 'committed' | 'duplicates' | 'deadLettered' | 'retried';
const COUNTERS: readonly CounterName[] = ['received', 'committed', 'duplicates', 'deadLettered', 'retried'];

/** A series' identity: its name and every label (the exporter's scope labels too). */
function seriesKey(sample: Sample): string {
  const labels = Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([sample.name, labels]);
}

/**
 * How much a counter grew between two scrapes. A value lower than before is a restarted replica
 * (the counter began again at 0), so its whole value is growth, as Prometheus's rate() counts it; a
 * series missing from the first scrape began after it, at 0.
 */
function increase(before: number | undefined, after: number): number {
  if (before === undefined || after < before) return after;
  return after - before;
}

/** Per route: each counter's growth over each replica's own interval, as a rate, summed over replicas. */
function routeStatuses(replicas: readonly ReplicaScrapes[]): RouteStatus[] {
  type Totals = Record<CounterName, number> & { committedTotal: number; duplicatesTotal: number };
  const routes = new Map<string, Totals>();
  const totalsOf = (route: string): Totals => {
    let totals = routes.get(route);
    if (totals === undefined) {
      totals = { received: 0, committed: 0, duplicates: 0, deadLettered: 0, retried: 0, committedTotal: 0, duplicatesTotal: 0 };
      routes.set(route, totals);
    }
    return totals;
  };
  for (const { first, second } of replicas) {
    const seconds = (second.atMs - first.atMs) / 1000;
    const before = new Map(first.samples.map((sample) => [seriesKey(sample), sample.value]));
    for (const sample of second.samples) {
      const counter = COUNTERS.find((name) => NAMES[name] === sample.name);
      const route = sample.labels.route;
      if (counter === undefined || route === undefined) continue;
      const totals = totalsOf(route);
      if (seconds > 0) totals[counter] += increase(before.get(seriesKey(sample)), sample.value) / seconds;
      if (counter === 'committed') totals.committedTotal += sample.value;
      if (counter === 'duplicates') totals.duplicatesTotal += sample.value;
    }
  }
  return [...routes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([route, totals]) => ({
      route,
      receivedPerSecond: totals.received,
      committedPerSecond: totals.committed,
      duplicatesPerSecond: totals.duplicates,
      deadLetteredPerSecond: totals.deadLettered,
      retriedPerSecond: totals.retried,
      errorsPerSecond: totals.deadLettered + totals.retried,
      committed: totals.committedTotal,
      duplicates: totals.duplicatesTotal,
    }));
}

/** Each sink target's circuit over the replicas' latest scrapes: open when any replica has it open. */
function circuitStatuses(latest: readonly (readonly Sample[])[]): CircuitStatus[] {
  const sinks = new Map<string, { open: number; replicas: number }>();
  for (const samples of latest) {
    const seen = new Map<string, boolean>();
    for (const sample of samples) {
      const sink = sample.labels.sink;
      if (sample.name !== NAMES.circuit || sink === undefined) continue;
      seen.set(sink, (seen.get(sink) ?? false) || sample.value >= 1);
    }
    for (const [sink, open] of seen) {
      const counts = sinks.get(sink) ?? { open: 0, replicas: 0 };
      sinks.set(sink, { open: counts.open + (open ? 1 : 0), replicas: counts.replicas + 1 });
    }
  }
  return [...sinks.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sink, counts]) => ({ sink, state: counts.open > 0 ? 'open' : 'closed', openOnReplicas: counts.open, replicas: counts.replicas }));
}

/** Each stage's newest answer any replica saw, by outcome (`ok`, `failed`); the gauge holds Unix seconds. */
function stageStatuses(latest: readonly (readonly Sample[])[]): StageStatus[] {
  const stages = new Map<string, { ok: number | undefined; failed: number | undefined }>();
  for (const sample of latest.flat()) {
    const { stage, outcome } = sample.labels;
    if (sample.name !== NAMES.lastAnswer || stage === undefined || (outcome !== 'ok' && outcome !== 'failed') || !(sample.value > 0)) continue;
    const newest = stages.get(stage) ?? { ok: undefined, failed: undefined };
    newest[outcome] = Math.max(newest[outcome] ?? 0, sample.value);
    stages.set(stage, newest);
  }
  const iso = (seconds: number | undefined): string | null => (seconds === undefined ? null : new Date(seconds * 1000).toISOString());
  return [...stages.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([stage, newest]) => ({ stage, lastOkAt: iso(newest.ok), lastFailedAt: iso(newest.failed) }));
}

export { circuitStatuses, routeStatuses, stageStatuses };
export type { ReplicaScrapes, Scrape };
