import type { CpuBreakdown } from './cpu.ts';
import { type BenchResults, slowestCeiling } from './results.ts';

/** The targets, printed next to what was measured. */
const TARGETS = {
  realChainPerSecond: 60_000,
  inProcessPerSecond: 90_000,
  pacedP99Ms: 100,
  bridgeRssMb: 200,
  bundleBytes: 1_000_000,
  coldInitMs: 200,
} as const;

const int = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '–' : Math.round(value).toLocaleString('en-US'));
const fixed = (value: number | undefined, digits = 1): string => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const pct = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(0)} %` : '–');
const kb = (bytes: number): string => `${Math.round(bytes / 1024)} KB`;
const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

function cpuNote(cpu: CpuBreakdown): string {
  const by = cpu.usPerEventBy;
  return `bridge ${fixed(by.bridge)} + offline ${fixed(by.offline)} + pg ${fixed(by.postgres)} (+ nats ${fixed(by.nats)})`;
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
      `paced publish → row latency (ms): p50 ${fixed(l.p50)}  p90 ${fixed(l.p90)}  p99 ${fixed(l.p99)}  max ${fixed(l.max)}  mean ${fixed(l.mean)}` +
        (paced.lateTicks > 0 ? `  (publisher fell behind ${paced.lateTicks}×)` : ''),
    );
    lines.push(`  median of the per-second p99s: ${fixed(paced.medianSecondP99)} ms (seconds a neighbour disturbed count once each)`);
  }
  const cpuLines: string[] = [];
  if (results.drain) cpuLines.push(`  drain, real chain:      ${cpuNote(results.drain.cpu)}`);
  if (results.inprocess) cpuLines.push(`  drain, in-process:      ${cpuNote(results.inprocess.cpu)}`);
  if (paced) cpuLines.push(`  paced:                  ${cpuNote(paced.cpu)}; the publisher (bench) ${fixed(paced.cpu.usPerEventBy.bench)}`);
  if (cpuLines.length > 0) lines.push('', 'CPU µs/event by process (steady state; "CPU µs/event" above = bridge + offline + pg):', ...cpuLines);
  for (const c of results.ceilings?.ceilings ?? []) lines.push(`  ceiling ${c.name}: ${c.method}`);

  const functions = results.functions;
  if (functions !== undefined) {
    const f: string[][] = [['function', 'bundle', 'zip', 'biggest inputs', 'cold: import + 1st invoke', 'warm invoke']];
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
      ]);
    }
    lines.push('', render(f));
  }
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
