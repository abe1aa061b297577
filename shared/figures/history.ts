import { type CircuitState, FIGURES_VERSION, type FiguresPoint, type ReplicaFigures, type RouteCounts, type RouteFigures } from './types.ts';

/** How much of its own past a replica's document carries: the console's charts' window. */
const FIGURES_WINDOW_MS = 15 * 60_000;

/** One reading of a replica's counters, taken at `point.t`. */
type FiguresSample = {
  readonly point: FiguresPoint;
  /** Cumulative per route label. */
  readonly routes: ReadonlyMap<string, RouteCounts>;
  readonly circuits: ReadonlyMap<string, CircuitState>;
};

const NONE: RouteCounts = { committed: 0, duplicates: 0, deadLettered: 0, retried: 0 };

/**
 * A replica's document, kept from one publish to the next: each sample adds a point (those older
 * than the window fall off) and replaces the routes, each with what it counted since the sample
 * before.
 */
class FiguresHistory {
  readonly #replica: string;
  readonly #startedAt: string;
  readonly #intervalMs: number;
  readonly #windowMs: number;
  #series: FiguresPoint[] = [];
  #routes = new Map<string, RouteCounts>();

  constructor(options: { readonly replica: string; readonly startedAtMs: number; readonly intervalMs: number; readonly windowMs?: number }) {
    this.#replica = options.replica;
    this.#startedAt = new Date(options.startedAtMs).toISOString();
    this.#intervalMs = options.intervalMs;
    this.#windowMs = options.windowMs ?? FIGURES_WINDOW_MS;
  }

  record(sample: FiguresSample): ReplicaFigures {
    const { point } = sample;
    const oldest = point.t - this.#windowMs;
    this.#series = [...this.#series.filter((kept) => kept.t > oldest), point];
    const routes: Record<string, RouteFigures> = {};
    for (const [route, counts] of [...sample.routes].sort(([a], [b]) => a.localeCompare(b))) {
      const before = this.#routes.get(route) ?? NONE;
      routes[route] = {
        committed: counts.committed,
        duplicates: counts.duplicates,
        deadLettered: counts.deadLettered,
        retried: counts.retried,
        latest: {
          committed: counts.committed - before.committed,
          duplicates: counts.duplicates - before.duplicates,
          deadLettered: counts.deadLettered - before.deadLettered,
          retried: counts.retried - before.retried,
        },
      };
    }
    this.#routes = new Map(sample.routes);
    return {
      version: FIGURES_VERSION,
      replica: this.#replica,
      startedAt: this.#startedAt,
      publishedAt: new Date(point.t).toISOString(),
      intervalMs: this.#intervalMs,
      series: this.#series,
      routes,
      circuits: Object.fromEntries([...sample.circuits].sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

export { FIGURES_WINDOW_MS, FiguresHistory };
export type { FiguresSample };
