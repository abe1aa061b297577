import { FIGURES_WINDOW_MS, type FiguresRead, summarizeFigures } from '../figures/index.ts';
import { formatRouteKey } from '../names/index.ts';
import type { RouteRecord } from '../routes/index.ts';
import { sinkIdentity } from '../sinks/index.ts';
import { UNKNOWN_ROUTE } from '../telemetry/index.ts';
import type { OverviewView, RouteFiguresView } from './views.ts';

/** The dead-letter stream as the overview needs it: letters per subject, and per reason when counted. */
type DeadLetterCounts = {
  readonly total: number;
  readonly bySubject: Readonly<Record<string, number>>;
  /** Undefined when the stream was too large to scan for reasons on every refresh. */
  readonly byReason: Readonly<Record<string, number>> | undefined;
};

/** Where the overview's numbers come from; each may fail on its own, and the rest is still shown. */
type OverviewSources = {
  readonly figures: () => Promise<FiguresRead>;
  readonly deadLetters: () => Promise<DeadLetterCounts>;
  readonly routes: () => Promise<readonly RouteRecord[]>;
  /** Where letters of events no route claimed go (`DEADLETTER_DEFAULT_SUBJECT`): the `unknown` row's depth. */
  readonly unroutedDeadLetterSubject: string;
  readonly now?: () => number;
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The sink identities the bridge names circuits by, for each route label. */
function sinksByLabel(routes: readonly RouteRecord[]): Map<string, string[]> {
  const sinks = new Map<string, string[]>();
  for (const route of routes) {
    const identities = route.sinks.flatMap((sink) => (sink.kind === 'invalid' ? [] : [sinkIdentity(sink)]));
    sinks.set(formatRouteKey(route.key), identities);
  }
  return sinks;
}

/**
 * The overview page: every bridge replica's figures from the KV bucket merged into one series and
 * one row per route, every route the registry knows listed (idle ones at zero), and the
 * dead-letter depth of each route's dead-letter subject. A source that fails becomes a line in
 * `problems` instead of failing the page. Routes that share a dead-letter subject each show that
 * subject's whole depth; the `unknown` row (events no route claimed) shows the default
 * dead-letter subject's.
 */
async function buildOverview(sources: OverviewSources): Promise<OverviewView> {
  const now = (sources.now ?? Date.now)();
  const problems: string[] = [];
  const settle = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      problems.push(`${what}: ${messageOf(error)}`);
      return fallback;
    }
  };
  const [figures, deadLetters, routes] = await Promise.all([
    settle<FiguresRead>('figures', sources.figures, { replicas: [], problems: [] }),
    settle<DeadLetterCounts | undefined>('dead letters', sources.deadLetters, undefined),
    settle<readonly RouteRecord[]>('routes', sources.routes, []),
  ]);
  problems.push(...figures.problems);
  if (deadLetters !== undefined && deadLetters.byReason === undefined)
    problems.push(`${deadLetters.total} dead letters are too many to count by reason on every refresh: the Dead letters page counts them`);

  const sinks = sinksByLabel(routes);
  const summary = summarizeFigures(figures.replicas, { now, windowMs: FIGURES_WINDOW_MS, sinksOfRoute: (label) => sinks.get(label) ?? [] });
  const byLabel = new Map(routes.map((route) => [formatRouteKey(route.key), route]));
  const rows = new Map<string, RouteFiguresView>();
  const depth = (subject: string | undefined): number => (subject === undefined ? 0 : (deadLetters?.bySubject[subject] ?? 0));
  for (const row of summary.routes) {
    const route = byLabel.get(row.route);
    const subject = route?.deadLetterSubject ?? (row.route === UNKNOWN_ROUTE ? sources.unroutedDeadLetterSubject : undefined);
    rows.set(row.route, { ...row, subject: route?.subject ?? null, deadLetterDepth: depth(subject) });
  }
  for (const [label, route] of byLabel) {
    if (rows.has(label)) continue;
    rows.set(label, {
      route: label,
      subject: route.subject,
      eventsPerSecond: 0,
      errorsPerSecond: 0,
      committedTotal: 0,
      deadLetteredTotal: 0,
      retriedTotal: 0,
      deadLetterDepth: depth(route.deadLetterSubject),
      circuits: (sinks.get(label) ?? []).map((sink) => ({
        sink,
        state: summary.circuits.find((circuit) => circuit.sink === sink)?.state ?? 'closed',
      })),
    });
  }
  return {
    generatedAt: new Date(now).toISOString(),
    intervalMs: summary.intervalMs,
    windowMs: summary.windowMs,
    series: summary.series,
    routes: [...rows.values()].sort((a, b) => a.route.localeCompare(b.route)),
    replicas: summary.replicas,
    deadLetters: { total: deadLetters?.total ?? 0, byReason: deadLetters?.byReason ?? {} },
    problems,
  };
}

export { buildOverview };
export type { DeadLetterCounts, OverviewSources };
