import { type Env, EnvReader } from './env.ts';
import { loadCliConfig, loadFunctionConfig } from './load.ts';
import type { CliConfig, FunctionConfig } from './types.ts';

type ReplayConfig = FunctionConfig & {
  readonly nats: CliConfig['nats'];
  /** Replays after which a dead letter that still fails is parked for good. */
  readonly maxReplays: number;
  /** Dead letters examined per run. */
  readonly limit: number;
  /** Re-driven events per second, so a replay cannot swamp the sinks it is waiting on. */
  readonly ratePerSecond: number;
  /**
   * Days the per-sink delivery state of fan-out routes is kept; each run prunes older rows. Longer
   * than the dead-letter stream keeps letters, so a replayed letter still skips the sinks it reached.
   */
  readonly deliveryRetentionDays: number;
};

/** Configuration of dlq-replay (the function and `ingest dlq replay`). */
function loadReplayConfig(env: Env = process.env): ReplayConfig {
  const functionConfig = loadFunctionConfig(env);
  const { nats } = loadCliConfig(env);
  const reader = new EnvReader(env);
  const config: ReplayConfig = {
    ...functionConfig,
    nats,
    maxReplays: reader.integer('DLQ_REPLAY_MAX_REPLAYS', 5, { min: 1, max: 1000 }),
    limit: reader.integer('DLQ_REPLAY_LIMIT', 1000, { min: 1, max: 1_000_000 }),
    ratePerSecond: reader.integer('DLQ_REPLAY_RATE_PER_SECOND', 500, { min: 1, max: 1_000_000 }),
    deliveryRetentionDays: reader.integer('SINK_DELIVERY_RETENTION_DAYS', 15, { min: 1, max: 3650 }),
  };
  reader.done();
  return config;
}

export { loadReplayConfig };
export type { ReplayConfig };
