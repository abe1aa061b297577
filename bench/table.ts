import { formatCost } from './costTable.ts';
import type { CpuBreakdown } from './cpu.ts';
import { fixed, int, pct } from './format.ts';
import type { PacedRun } from './paced.ts';
import { type BenchResults, slowestCeiling } from './results.ts';

/** The targets, printed next to what was measured. */
const TARGETS = {
  realChainPerSecond: 60_000,
  inProcessPerSecond: 90_000,
  pacedP99Ms: 100,
  /** The paced publisher sends at least this share of --rate, spending at most this CPU per event. */
  pacedRateShare: 0.99,
  publisherUsPerEvent: 20,
  bridgeRssMb: 200,
  bundleBytes: 1_000_000,
  coldInitMs: 200,
} as const;

const kb = (bytes: number): string => `${Math.round(bytes / 1024)} KB`;
const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

function cpuNote(cpu: CpuBreakdown): string {
  const by = cpu.usPerEventBy;
  return `bridge ${fixed(by.bridge)} + offline ${fixed(by.offline)} + pg ${fixed(by.postgres)} (+ nats ${fixed(by.nats)})`;
}

/** The load generator's own figures: did it hold the rate, and what did it cost beside the chain. */
function publisherLines(paced: PacedRun): string[] {
  const p = paced.publisher;
  return [
    `  publisher (own process, async publish, ≤ ${int(p.window)} acks outstanding): sent ${int(p.achievedPerSecond)}/s of ${int(paced.rate)}/s` +
      ` (${pct(p.achievedPerSecond / paced.rate)}), committed ${int(paced.committedPerSecond)}/s; publish lag p50 ${fixed(p.lagMs.p50)} p99 ${fixed(p.lagMs.p99)} max ${fixed(p.lagMs.max)} ms` +
      (p.windowWaits > 0 ? `; waited for a full window ${int(p.windowWaits)}×` : ''),
    `  publisher CPU: ${fixed(paced.cpu.usPerEventBy.publisher)} µs/event (from /proc; ${fixed(p.cpuUsPerEvent)} by its own count, ${fixed(p.systemCpuUsPerEvent)} of it kernel), encoding ahead ${fixed(p.encodeCpuUsPerEvent)} µs/event before the window; nats-server's share is in "nats"`,
  ];
}

function render(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The run as a plain-text table: what docs/benchmark.md shows and what `npm run bench` prints. */
function formatTable(results: BenchResults): string {
  const slowest = slowestCeiling(results);
  const ofCeiling = (perSecond: number): string =>
    slowest === undefined || !Number.isFinite(perSecond) ? '–' : `${pct(perSecond / slowest.perSecond)} of ${slowest.name}`;
  const rows: string[][] = [['phase', 'events', 'events/s', 'vs ceiling', 'CPU µs/event', 'bridge peak RSS', 'check']];
  const check = (ok: boolean): string => (ok ? 'ok' : 'FAILED');

  for (const [label, drain] of [
    ['drain, real chain', results.drain],
    ['drain, in-process functions', results.inprocess],
  ] as const) {
    if (drain === undefined) continue;
    rows.push([
      label,
      int(drain.events),
      int(drain.perSecond),
      ofCeiling(drain.perSecond),
      fixed(drain.cpu.usPerEvent),
      `${int(drain.bridgePeakRssMb)} MB`,
      check(drain.verification.ok),
    ]);
    rows.push([
      `  incl. bridge start-up (${fixed(drain.startupSeconds, 2)} s)`,
      '',
      int(drain.perSecondWithStartup),
      ofCeiling(drain.perSecondWithStartup),
      fixed(drain.cpuWhole.usPerEvent),
      '',
      '',
    ]);
  }
  const paced = results.paced;
  if (paced !== undefined) {
    rows.push([
      `paced ${int(paced.rate)}/s × ${paced.duration} s`,
      int(paced.events),
      int(paced.achievedPerSecond),
      ofCeiling(paced.achievedPerSecond),
      fixed(paced.cpu.usPerEvent),
      `${int(paced.bridgePeakRssMb)} MB`,
      check(paced.verification.ok),
    ]);
  }
  for (const c of results.ceilings?.ceilings ?? []) {
    rows.push([`ceiling: ${c.name}`, int(c.events), int(c.perSecond), '', fixed(c.cpuUsPerEvent), '', check(results.ceilings?.verified ?? false)]);
  }

  const k = results.knobs;
  const lines = [
    `nproc ${results.machine.nproc} · node ${results.machine.node} · nats-server ${results.machine.natsServer ?? '?'} · PostgreSQL ${results.machine.postgres ?? '?'} · bridges from ${results.options.bundle ? 'esbuild bundles' : 'tsx'}`,
    `knobs: BATCH_MAX_RECORDS ${String(k.batchMaxRecords)}, BATCH_MAX_WAIT_MS ${String(k.batchMaxWaitMs)}, BRIDGE_MAX_IN_FLIGHT ${String(k.bridgeMaxInFlight)}, MAX_ACK_PENDING ${String(k.maxAckPending)}, DATABASE_POOL_MAX ${String(k.databasePoolMax)}`,
    '',
    render(rows),
  ];
  if (paced !== undefined) {
    const l = paced.latencyMs;
    lines.push(
      '',
      `paced publish → row latency (ms): p50 ${fixed(l.p50)}  p90 ${fixed(l.p90)}  p99 ${fixed(l.p99)}  max ${fixed(l.max)}  mean ${fixed(l.mean)}`,
    );
    lines.push(`  median of the per-second p99s: ${fixed(paced.medianSecondP99)} ms (seconds a neighbour disturbed count once each)`);
    lines.push(...publisherLines(paced));
  }
  const cpuLines: string[] = [];
  if (results.drain) cpuLines.push(`  drain, real chain:      ${cpuNote(results.drain.cpu)}`);
  if (results.inprocess) cpuLines.push(`  drain, in-process:      ${cpuNote(results.inprocess.cpu)}`);
  if (paced) cpuLines.push(`  paced:                  ${cpuNote(paced.cpu)}`);
  if (cpuLines.length > 0) lines.push('', 'CPU µs/event by process (steady state; "CPU µs/event" above = bridge + offline + pg):', ...cpuLines);
  for (const c of results.ceilings?.ceilings ?? []) lines.push(`  ceiling ${c.name}: ${c.method}`);

  const functions = results.functions;
  if (functions !== undefined) {
    const f: string[][] = [
      ['function', 'bundle', 'zip', 'biggest inputs', 'cold: import + 1st invoke', 'warm invoke', `batch of ${int(functions.batchRecords)}`],
    ];
    for (const bundle of functions.bundles) {
      const cold = functions.coldStarts.find((c) => c.name === bundle.name);
      f.push([
        bundle.name,
        kb(bundle.bytes),
        kb(bundle.zipBytes),
        bundle.topInputs
          .slice(0, 3)
          .map((i) => `${i.input} ${kb(i.bytes)}`)
          .join(', '),
        cold === undefined ? '–' : `${fixed(cold.importMs, 0)} + ${fixed(cold.firstInvokeMs, 0)} = ${fixed(cold.coldMs, 0)} ms`,
        cold === undefined ? '–' : `${fixed(cold.warmInvokeMs, 1)} ms`,
        cold === undefined ? '–' : `${fixed(cold.batchInvokeMs, 1)} ms`,
      ]);
    }
    lines.push('', render(f));
  }
  if (results.cost !== undefined) lines.push('', ...formatCost(results.cost));
  lines.push('', formatTargets(results));
  return lines.join('\n');
}

function formatTargets(results: BenchResults): string {
  const out = ['targets:'];
  if (results.drain)
    out.push(
      `  real chain ≥ ${int(TARGETS.realChainPerSecond)}/s: ${int(results.drain.perSecond)}/s ${mark(results.drain.perSecond >= TARGETS.realChainPerSecond)}`,
    );
  if (results.inprocess)
    out.push(
      `  in-process ≥ ${int(TARGETS.inProcessPerSecond)}/s: ${int(results.inprocess.perSecond)}/s ${mark(results.inprocess.perSecond >= TARGETS.inProcessPerSecond)}`,
    );
  if (results.paced) {
    const { latencyMs, medianSecondP99 } = results.paced;
    out.push(
      `  paced p99 ≤ ${TARGETS.pacedP99Ms} ms: ${fixed(latencyMs.p99)} ms ${mark(latencyMs.p99 <= TARGETS.pacedP99Ms)} (median per-second p99 ${fixed(medianSecondP99)} ms)`,
    );
    const { achievedPerSecond, rate, cpu } = results.paced;
    out.push(
      `  paced rate ≥ ${pct(TARGETS.pacedRateShare)} of ${int(rate)}/s: sent ${int(achievedPerSecond)}/s ${mark(achievedPerSecond >= rate * TARGETS.pacedRateShare)}`,
      `  publisher ≤ ${TARGETS.publisherUsPerEvent} µs/event: ${fixed(cpu.usPerEventBy.publisher)} µs ${mark((cpu.usPerEventBy.publisher ?? Number.POSITIVE_INFINITY) <= TARGETS.publisherUsPerEvent)}`,
    );
  }
  const rss = [results.drain?.bridgePeakRssMb, results.inprocess?.bridgePeakRssMb, results.paced?.bridgePeakRssMb].filter((v): v is number => v !== undefined);
  if (rss.length > 0) out.push(`  bridge RSS ≤ ${TARGETS.bridgeRssMb} MB: peak ${int(Math.max(...rss))} MB ${mark(Math.max(...rss) <= TARGETS.bridgeRssMb)}`);
  if (results.functions) {
    const largest = Math.max(...results.functions.bundles.map((b) => b.bytes));
    out.push(`  bundle ≤ 1 MB: largest ${kb(largest)} ${mark(largest <= TARGETS.bundleBytes)}`);
    const coldest = Math.max(...results.functions.coldStarts.map((c) => c.coldMs));
    out.push(`  cold init ≤ ${TARGETS.coldInitMs} ms: slowest ${fixed(coldest, 0)} ms ${mark(coldest <= TARGETS.coldInitMs)}`);
  }
  return out.join('\n');
}

export { formatTable, TARGETS };
