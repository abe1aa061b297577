// What the overview's charts draw: columns of the series for uPlot, and each chart's latest point.
// Pure (no DOM), so unit tests import it.
import type { SeriesPoint } from '../../../shared/console/views.ts';

type ChartName = 'events' | 'errors' | 'latency' | 'lag';

type ChartSpec = {
  readonly name: ChartName;
  readonly title: string;
  readonly unit: string;
  /** One per line, the first is the one the "Latest" line and `data-latest-value` report. */
  readonly lines: readonly { readonly label: string; readonly pick: (point: SeriesPoint) => number | null }[];
};

const CHARTS: readonly ChartSpec[] = [
  { name: 'events', title: 'Events per second', unit: 'events/s', lines: [{ label: 'events/s', pick: (point) => point.eventsPerSecond }] },
  {
    name: 'errors',
    title: 'Error rate',
    unit: '%',
    lines: [{ label: 'error rate %', pick: (point) => (point.errorRate === null ? null : point.errorRate * 100) }],
  },
  {
    name: 'latency',
    title: 'Publish → commit latency',
    unit: 'ms',
    lines: [
      { label: 'p95 ms', pick: (point) => point.latencyP95Ms },
      { label: 'p50 ms', pick: (point) => point.latencyP50Ms },
    ],
  },
  {
    name: 'lag',
    title: 'Consumer lag',
    unit: 'messages',
    lines: [
      { label: 'pending', pick: (point) => point.consumerPending },
      { label: 'ack pending', pick: (point) => point.consumerAckPending },
    ],
  },
];

/** uPlot's aligned data: x in seconds, then one column per line (null where a point has no value). */
function chartColumns(series: readonly SeriesPoint[], spec: ChartSpec): [number[], ...(number | null)[][]] {
  return [series.map((point) => point.t / 1000), ...spec.lines.map((line) => series.map((point) => line.pick(point)))];
}

/** The chart's latest point: the last point of the series, with its first line's value (null when it has none). */
function latestOf(series: readonly SeriesPoint[], spec: ChartSpec): { t: number | null; value: number | null } {
  const last = series.at(-1);
  if (last === undefined) return { t: null, value: null };
  return { t: last.t, value: spec.lines[0]!.pick(last) };
}

export type { ChartName, ChartSpec };
export { CHARTS, chartColumns, latestOf };
