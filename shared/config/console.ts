import { type Env, EnvReader } from './env.ts';
import { loadReplayConfig, type ReplayConfig } from './replay.ts';

type ConsoleConfig = ReplayConfig & {
  /** The deployment's stage, shown on the page. */
  readonly stage: string;
  /** The registry's write token, read as the registry API reads it; unset: the console is read-only. */
  readonly writeToken: string | undefined;
  /** Reads need the token too (`CONSOLE_REQUIRE_AUTH`). */
  readonly requireAuth: boolean;
  /** How often each replica publishes (0: the bridges publish none); the page refreshes at this pace. The bucket is `nats.figuresBucket`. */
  readonly figuresIntervalMs: number;
};

/**
 * Configuration of the console function: what dlq-replay reads (the console's replays are its
 * runs), the registry token, and where the bridge's figures are.
 */
function loadConsoleConfig(env: Env = process.env): ConsoleConfig {
  const replay = loadReplayConfig(env);
  const reader = new EnvReader(env);
  const writeToken = reader.optionalString('REGISTRY_API_TOKEN');
  // The same rule as the registry API: a short token is guessable.
  reader.check(writeToken === undefined || writeToken.length >= 16, 'REGISTRY_API_TOKEN must be at least 16 characters');
  const requireAuth = reader.boolean('CONSOLE_REQUIRE_AUTH', false);
  reader.check(!requireAuth || writeToken !== undefined, 'CONSOLE_REQUIRE_AUTH is true but no REGISTRY_API_TOKEN is set: nobody could read the console');
  // Read as the bridge reads it (0 = off, else at least 1000), so both agree on the pace.
  const figuresIntervalMs = reader.integer('BRIDGE_FIGURES_INTERVAL_MS', 5000, { min: 0, max: 3_600_000 });
  reader.check(figuresIntervalMs === 0 || figuresIntervalMs >= 1000, `BRIDGE_FIGURES_INTERVAL_MS must be 0 (off) or at least 1000, got ${figuresIntervalMs}`);
  const config: ConsoleConfig = {
    ...replay,
    stage: reader.string('INGEST_STAGE', 'local'),
    writeToken,
    requireAuth,
    figuresIntervalMs,
  };
  reader.done();
  return config;
}

export { loadConsoleConfig };
export type { ConsoleConfig };
