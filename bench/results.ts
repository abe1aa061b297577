import type { CeilingsResult } from './ceilings.ts';
import type { CostEstimate } from './cost.ts';
import type { DrainResult } from './drain.ts';
import type { FunctionsResult } from './functions.ts';
import type { BenchOptions, Phase } from './options.ts';
import type { PacedRun } from './paced.ts';

/** Everything one run measured; written as JSON and read by the table and the chart. */
type BenchResults = {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: {
    readonly nproc: number;
    readonly node: string;
    readonly natsServer: string | undefined;
    readonly postgres: string | undefined;
  };
  readonly options: Omit<BenchOptions, 'outDir'>;
  /** The bridge configuration in effect (from the knobs), as the bridge reads it. */
  readonly knobs: Readonly<Record<string, unknown>>;
  drain?: DrainResult;
  inprocess?: DrainResult;
  paced?: PacedRun;
  ceilings?: CeilingsResult;
  functions?: FunctionsResult;
  /** Lambda cost per million events and bridge replicas, from the phases that ran. */
  cost?: CostEstimate;
  readonly errors: Partial<Record<Phase, string>>;
  /** Loss, duplicates, dead letters or a failed phase; the run exits non-zero when not empty. */
  readonly problems: string[];
};

/** The slowest of consume, decode and insert: the stage that bounds the chain. */
function slowestCeiling(results: BenchResults): { name: string; perSecond: number } | undefined {
  const core = (results.ceilings?.ceilings ?? []).filter((c) => ['consume', 'decode', 'insert'].includes(c.name));
  if (core.length === 0) return undefined;
  return core.reduce((slowest, c) => (c.perSecond < slowest.perSecond ? c : slowest));
}

export { slowestCeiling };
export type { BenchResults };
