// The run as a small SVG written by hand (no chart library): throughput per phase on a log scale,
// so the chain (~10^4/s) and the ceilings (~10^5–10^6/s) fit on one axis, and the paced phase's
// latency percentiles against the 100 ms target.
import type { BenchResults } from './results.ts';
import { TARGETS } from './table.ts';

type Bar = { readonly label: string; readonly value: number; readonly color: string };

const WIDTH = 980;
const HEIGHT = 460;
const COLORS = { chain: '#2563eb', inprocess: '#16a34a', paced: '#ea580c', ceiling: '#6b7280', target: '#dc2626' } as const;

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, content: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
const short = (value: number): string => (value >= 1e6 ? `${(value / 1e6).toFixed(2)}M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : value.toFixed(0));

function throughputBars(results: BenchResults): Bar[] {
  const bars: Bar[] = [];
  if (results.drain) {
    bars.push({ label: 'drain, real chain', value: results.drain.perSecond, color: COLORS.chain });
    bars.push({ label: '  incl. bridge start-up', value: results.drain.perSecondWithStartup, color: COLORS.chain });
  }
  if (results.inprocess) {
    bars.push({ label: 'drain, in-process', value: results.inprocess.perSecond, color: COLORS.inprocess });
    bars.push({ label: '  incl. bridge start-up', value: results.inprocess.perSecondWithStartup, color: COLORS.inprocess });
  }
  if (results.paced) bars.push({ label: `paced (target ${short(results.paced.rate)}/s)`, value: results.paced.achievedPerSecond, color: COLORS.paced });
  for (const c of results.ceilings?.ceilings ?? []) bars.push({ label: `ceiling: ${c.name}`, value: c.perSecond, color: COLORS.ceiling });
  return bars.filter((bar) => Number.isFinite(bar.value) && bar.value > 0);
}

function throughputPanel(bars: readonly Bar[], x0: number, y0: number, width: number, height: number): string[] {
  const out: string[] = [text(x0, y0 - 14, 'throughput, events/s (log scale)', 'font-weight="bold"')];
  if (bars.length === 0) return [...out, text(x0, y0 + 20, 'no throughput phases in this run')];
  const labelWidth = 170;
  const plotX = x0 + labelWidth;
  const plotWidth = width - labelWidth - 60;
  const low = 10 ** Math.min(3, Math.floor(Math.log10(Math.min(...bars.map((b) => b.value)))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...bars.map((b) => b.value), 1e5) * 1.01));
  const scale = (value: number): number => plotX + (Math.log10(Math.max(value, low) / low) / Math.log10(high / low)) * plotWidth;
  const rowHeight = Math.min(30, (height - 30) / bars.length);
  const plotBottom = y0 + rowHeight * bars.length;
  for (let decade = low; decade <= high; decade *= 10) {
    const x = scale(decade);
    out.push(`<line x1="${x}" y1="${y0 - 4}" x2="${x}" y2="${plotBottom}" stroke="#e5e7eb"/>`);
    out.push(text(x, plotBottom + 16, short(decade), 'text-anchor="middle" fill="#6b7280"'));
  }
  for (const [target, label] of [
    [TARGETS.realChainPerSecond, 'real-chain target'],
    [TARGETS.inProcessPerSecond, 'in-process target'],
  ] as const) {
    const x = scale(target);
    out.push(`<line x1="${x}" y1="${y0 - 4}" x2="${x}" y2="${plotBottom}" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`);
    out.push(text(x + 3, plotBottom + 30 + (target === TARGETS.inProcessPerSecond ? 13 : 0), `${label} ${short(target)}`, `fill="${COLORS.target}"`));
  }
  bars.forEach((bar, index) => {
    const y = y0 + index * rowHeight;
    const barWidth = Math.max(1, scale(bar.value) - plotX);
    // SVG collapses leading spaces: an indented label is a sub-row of the one above it.
    const indent = bar.label.startsWith(' ') ? 14 : 0;
    out.push(text(x0 + indent, y + rowHeight * 0.62, bar.label.trim(), indent > 0 ? 'fill="#4b5563"' : ''));
    out.push(`<rect x="${plotX}" y="${(y + 3).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(rowHeight - 6).toFixed(1)}" fill="${bar.color}"/>`);
    out.push(text(plotX + barWidth + 4, y + rowHeight * 0.62, short(bar.value)));
  });
  return out;
}

function latencyPanel(results: BenchResults, x0: number, y0: number, width: number, height: number): string[] {
  const paced = results.paced;
  const title = paced === undefined ? 'publish → row latency' : `publish → row latency, ${short(paced.rate)}/s for ${paced.duration} s`;
  const out: string[] = [text(x0, y0 - 14, title, 'font-weight="bold"')];
  if (paced === undefined) return [...out, text(x0, y0 + 20, 'paced phase not run')];
  const l = paced.latencyMs;
  const bars: Bar[] = [
    { label: 'p50', value: l.p50, color: COLORS.paced },
    { label: 'p90', value: l.p90, color: COLORS.paced },
    { label: 'p99', value: l.p99, color: COLORS.paced },
    { label: 'max', value: l.max, color: '#9a3412' },
  ];
  const plotBottom = y0 + height - 40;
  const plotHeight = height - 60;
  const top = Math.max(TARGETS.pacedP99Ms * 1.2, ...bars.map((b) => b.value)) * 1.1;
  const scale = (value: number): number => plotBottom - (value / top) * plotHeight;
  const step = 10 ** Math.floor(Math.log10(top)) / (top / 10 ** Math.floor(Math.log10(top)) < 3 ? 2 : 1);
  for (let tick = 0; tick <= top; tick += step) {
    out.push(`<line x1="${x0 + 40}" y1="${scale(tick)}" x2="${x0 + width}" y2="${scale(tick)}" stroke="#e5e7eb"/>`);
    out.push(text(x0 + 34, scale(tick) + 4, `${tick.toFixed(0)}`, 'text-anchor="end" fill="#6b7280"'));
  }
  out.push(text(x0, y0 + 4, 'ms', 'fill="#6b7280"'));
  const targetY = scale(TARGETS.pacedP99Ms);
  out.push(`<line x1="${x0 + 40}" y1="${targetY}" x2="${x0 + width}" y2="${targetY}" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`);
  // Labelled under the axis: above the line it would collide with the bars' value labels.
  out.push(`<line x1="${x0 + 50}" y1="${plotBottom + 31}" x2="${x0 + 72}" y2="${plotBottom + 31}" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`);
  out.push(text(x0 + 78, plotBottom + 35, `p99 target ${TARGETS.pacedP99Ms} ms`, `fill="${COLORS.target}"`));
  const slot = (width - 50) / bars.length;
  bars.forEach((bar, index) => {
    const x = x0 + 50 + index * slot;
    const y = scale(bar.value);
    out.push(
      `<rect x="${(x + slot * 0.15).toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(plotBottom - y).toFixed(1)}" fill="${bar.color}"/>`,
    );
    out.push(text(x + slot / 2, y - 5, bar.value.toFixed(bar.value < 10 ? 1 : 0), 'text-anchor="middle"'));
    out.push(text(x + slot / 2, plotBottom + 16, bar.label, 'text-anchor="middle"'));
  });
  return out;
}

function renderChart(results: BenchResults): string {
  const events = results.options.events.toLocaleString('en-US');
  const header = `nats-ingest-plane bench · ${results.startedAt.slice(0, 19).replace('T', ' ')} UTC · nproc ${results.machine.nproc} · node ${results.machine.node} · ${events} events`;
  const first = results.problems[0] ?? '';
  const verdict =
    results.problems.length === 0
      ? 'all phases verified: rows = published, no duplicates, no dead letters'
      : `${results.problems.length} PROBLEM(S), see the JSON: ${first.length > 110 ? `${first.slice(0, 110)}…` : first}`;
  const body = [
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    text(20, 26, header, 'font-size="15" font-weight="bold"'),
    text(20, 46, verdict, `fill="${results.problems.length === 0 ? '#15803d' : COLORS.target}"`),
    ...throughputPanel(throughputBars(results), 20, 90, 620, 340),
    ...latencyPanel(results, 670, 90, 290, 340),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    ...body.map((line) => `  ${line}`),
    '</svg>',
    '',
  ].join('\n');
}

export { renderChart };
