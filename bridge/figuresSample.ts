import type { FiguresSample, RouteCounts } from '../shared/figures/index.ts';
import type { BridgeInstruments } from './metrics.ts';

type Lag = { readonly pending: number; readonly ackPending: number };
type Counted = Pick<BridgeInstruments, 'committed' | 'duplicates' | 'deadLettered' | 'retried' | 'received' | 'commitLatency' | 'circuits'>;

function sum(totals: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const value of totals.values()) total += value;
  return total;
}

/**
 * One reading of the replica's own counters for its figures: the tallies `/metrics` reads (so the
 * figures' counts are its `*_total` counters at this moment), summed per route and over routes;
 * the interval's latency (read and emptied); the consumer's lag as given.
 */
function sampleFigures(instruments: Counted, lag: Lag | null, t: number): FiguresSample {
  const committed = instruments.committed.totalsBy('route');
  const duplicates = instruments.duplicates.totalsBy('route');
  const deadLettered = instruments.deadLettered.totalsBy('route');
  const retried = instruments.retried.totalsBy('route');
  const routes = new Map<string, RouteCounts>();
  for (const route of new Set([...committed.keys(), ...duplicates.keys(), ...deadLettered.keys(), ...retried.keys()])) {
    routes.set(route, {
      committed: committed.get(route) ?? 0,
      duplicates: duplicates.get(route) ?? 0,
      deadLettered: deadLettered.get(route) ?? 0,
      retried: retried.get(route) ?? 0,
    });
  }
  const latency = instruments.commitLatency.take();
  return {
    point: {
      t,
      committed: sum(committed),
      duplicates: sum(duplicates),
      deadLettered: sum(deadLettered),
      retried: sum(retried),
      received: sum(instruments.received.totalsBy('route')),
      latencyP50Ms: latency.p50Ms,
      latencyP95Ms: latency.p95Ms,
      pending: lag?.pending ?? null,
      ackPending: lag?.ackPending ?? null,
    },
    routes,
    circuits: new Map(instruments.circuits()),
  };
}

export { sampleFigures };
export type { Lag };
