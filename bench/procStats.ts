import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// Linux only: CPU and memory come from /proc, which sees every process on the machine, including
// the shared PostgreSQL and nats-server that the bench must not touch.

type ProcStat = {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime of the process, and of its children it has already reaped, in clock ticks. */
  readonly ownTicks: number;
  readonly reapedTicks: number;
};

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone between listing and reading
  }
  // comm may contain spaces and parentheses; everything after the last ')' is space-separated.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): utime is field 14 → index 11.
  const num = (field: number): number => Number(fields[field - 3]);
  return { pid, ppid: num(4), comm, ownTicks: num(14) + num(15), reapedTicks: num(16) + num(17) };
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) stats.push(stat);
  }
  return stats;
}

/** CPU seconds of a set of processes, counting children that exited (reaped) as well. */
function cpuSecondsOf(stats: readonly ProcStat[]): number {
  return stats.reduce((sum, stat) => sum + stat.ownTicks + stat.reapedTicks, 0) / clockTicks();
}

/** A process and every descendant: serverless-offline or a bridge may spawn helpers. */
function treeOf(root: number, stats: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const out: ProcStat[] = [];
  const visit = (pid: number): void => {
    const self = stats.find((stat) => stat.pid === pid);
    if (self !== undefined) out.push(self);
    for (const child of children.get(pid) ?? []) visit(child.pid);
  };
  visit(root);
  return out;
}

type CpuGroups = Readonly<Record<string, number | undefined>>;

type CpuSample = {
  readonly atMs: number;
  /** CPU seconds used so far per group. */
  readonly seconds: Readonly<Record<string, number>>;
};

/**
 * One snapshot of CPU seconds per group: named process trees (bridge, offline) plus every
 * `postgres` process (the postmaster's reaped ticks hold backends that have exited) and
 * `nats-server`. Deltas of two snapshots are what a phase cost.
 */
function sampleCpu(roots: CpuGroups): CpuSample {
  const stats = allStats();
  const seconds: Record<string, number> = {};
  for (const [name, pid] of Object.entries(roots)) seconds[name] = pid === undefined ? 0 : cpuSecondsOf(treeOf(pid, stats));
  seconds.postgres = cpuSecondsOf(stats.filter((stat) => stat.comm === 'postgres'));
  seconds.nats = cpuSecondsOf(stats.filter((stat) => stat.comm === 'nats-server'));
  const self = process.cpuUsage();
  seconds.bench = (self.user + self.system) / 1e6;
  return { atMs: Date.now(), seconds };
}

/** CPU seconds per group between two snapshots. A process that did not exist at `from` counts from 0. */
function cpuDelta(from: CpuSample, to: CpuSample): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(to.seconds)) out[name] = Math.max(0, value - (from.seconds[name] ?? 0));
  return out;
}

/** Peak and current resident memory of one process, in MB, from /proc/<pid>/status. */
function memoryOf(pid: number | undefined): { peakMb: number; currentMb: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { peakMb: kb('VmHWM') / 1024, currentMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

export { cpuDelta, memoryOf, sampleCpu };
export type { CpuSample };
