import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { SeriesPoint } from '../../../../shared/console/views.ts';
import { formatClock, latestLine } from '../format.ts';
import { type ChartSpec, chartColumns, latestOf } from '../series.ts';

type ChartProps = {
  readonly spec: ChartSpec;
  readonly series: readonly SeriesPoint[];
  /** The window's end (ms): the overview's generatedAt, so every chart shows the same 15 minutes. */
  readonly endMs: number;
  readonly windowMs: number;
};

const HEIGHT = 170;

/** The colours of the current scheme, from the stylesheet's custom properties (light or dark). */
function palette() {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    lines: [read('--chart-1', '#2563eb'), read('--chart-2', '#d97706')],
    axis: read('--fg-muted', '#555'),
    grid: read('--chart-grid', 'rgba(0,0,0,0.08)'),
  };
}

/** Follows prefers-color-scheme, so the chart is drawn again with the other scheme's colours. */
function useColorScheme(): string {
  const query = '(prefers-color-scheme: dark)';
  const [scheme, setScheme] = useState(() => (matchMedia(query).matches ? 'dark' : 'light'));
  useEffect(() => {
    const media = matchMedia(query);
    const change = () => setScheme(media.matches ? 'dark' : 'light');
    media.addEventListener('change', change);
    return () => media.removeEventListener('change', change);
  }, []);
  return scheme;
}

/**
 * One uPlot chart in a <figure>: the caption names it, a text line under it says its latest value
 * (announced politely), and its data attributes give tests the same point.
 */
function Chart({ spec, series, endMs, windowMs }: ChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const frame = useRef({ endMs, windowMs });
  frame.current = { endMs, windowMs };
  const scheme = useColorScheme();
  const latest = latestOf(series, spec);
  const colors = palette();

  // Built once per colour scheme; the data arrive through setData below.
  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    const { lines, axis, grid } = palette();
    const axisStyle = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [(frame.current.endMs - frame.current.windowMs) / 1000, frame.current.endMs / 1000] },
          y: { range: (_self, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        // 24-hour times, as the "Latest" line under the chart says them.
        axes: [
          { ...axisStyle, size: 32, values: (_self, splits) => splits.map((seconds) => formatClock(seconds * 1000).slice(0, 5)) },
          { ...axisStyle, size: 56 },
        ],
        series: [
          {},
          ...spec.lines.map((line, index) => ({
            label: line.label,
            stroke: lines[index % lines.length],
            width: 2,
            // The second line is dashed: the two differ by more than colour.
            dash: index === 0 ? undefined : [6, 4],
            spanGaps: false,
          })),
        ],
      },
      chartColumns(series, spec) as uPlot.AlignedData,
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    plot.current?.setData(chartColumns(series, spec) as uPlot.AlignedData);
  }, [series, spec]);

  return (
    <figure class="chart" data-chart={spec.name} data-latest-t={latest.t ?? ''} data-latest-value={latest.value ?? ''}>
      <figcaption>
        {spec.title} <span class="unit">({spec.unit})</span>
      </figcaption>
      <div class="plot" ref={holder} aria-hidden="true" />
      <ul class="legend" aria-label={`${spec.title} lines`}>
        {spec.lines.map((line, index) => (
          <li key={line.label}>
            <span class={index === 0 ? 'swatch' : 'swatch dashed'} style={{ borderColor: colors.lines[index % colors.lines.length] }} aria-hidden="true" />
            {line.label}
            {index === 0 ? '' : ' (dashed)'}
          </li>
        ))}
      </ul>
      <p class="latest" aria-live="polite">
        {latestLine(latest.value, spec.unit, latest.t)}
      </p>
    </figure>
  );
}

export { Chart };
