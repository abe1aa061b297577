import { type CpuSample, cpuDelta } from './procStats.ts';

/** The processes a chain result is charged for: what the "CPU per event" counts. */
const CHAIN = ['bridge', 'offline', 'postgres'] as const;

type CpuBreakdown = {
  readonly events: number;
  readonly wallSeconds: number;
  /** CPU µs per event per process group (bridge, offline, postgres, nats, bench). */
  readonly usPerEventBy: Readonly<Record<string, number>>;
  /** bridge + serverless-offline + PostgreSQL. */
  readonly usPerEvent: number;
  /** The same plus nats-server. */
  readonly usPerEventWithNats: number;
  /** Cores busy on average in the chain's processes (plus nats), out of nproc. */
  readonly coresBusy: number;
};

function cpuBreakdown(from: CpuSample, to: CpuSample, events: number): CpuBreakdown {
  const delta = cpuDelta(from, to);
  const per = (seconds: number): number => (events > 0 ? (seconds * 1e6) / events : Number.NaN);
  const usPerEventBy: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(delta)) usPerEventBy[name] = per(seconds);
  const chain = CHAIN.reduce((sum, name) => sum + (delta[name] ?? 0), 0);
  const wallSeconds = (to.atMs - from.atMs) / 1000;
  return {
    events,
    wallSeconds,
    usPerEventBy,
    usPerEvent: per(chain),
    usPerEventWithNats: per(chain + (delta.nats ?? 0)),
    coresBusy: wallSeconds > 0 ? (chain + (delta.nats ?? 0)) / wallSeconds : Number.NaN,
  };
}

export { cpuBreakdown };
export type { CpuBreakdown };
