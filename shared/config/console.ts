import { type Env, EnvReader } from './env.ts';
import { loadReplayConfig, type ReplayConfig } from './replay.ts';

type ConsoleConfig = ReplayConfig & {
  /** The deployment's stage, shown on the page. */
  readonly stage: string;
  /** The registry's write token, read as the registry API reads it; unset: the console is read-only. */
  readonly writeToken: string | undefined;
  /** Reads need the token too (`CONSOLE_REQUIRE_AUTH`). */
  readonly requireAuth: boolean;
  /** The NATS KV bucket bridge replicas publish their figures to. */
  readonly figuresBucket: string;
  /** How often each replica publishes; the page refreshes at this pace. */
  readonly figuresIntervalMs: number;
};

/** A NATS KV bucket name: letters, digits, `-` and `_` only. */
const BUCKET_NAME = /^[A-Za-z0-9_-]+$/;

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
  const figuresBucket = reader.string('FIGURES_BUCKET', 'INGEST_FIGURES');
  reader.check(BUCKET_NAME.test(figuresBucket), `FIGURES_BUCKET must be letters, digits, "-" and "_" only, got "${figuresBucket}"`);
  const config: ConsoleConfig = {
    ...replay,
    stage: reader.string('INGEST_STAGE', 'local'),
    writeToken,
    requireAuth,
    figuresBucket,
    figuresIntervalMs: reader.integer('BRIDGE_FIGURES_INTERVAL_MS', 5000, { min: 1000, max: 60_000 }),
  };
  reader.done();
  return config;
}

export { loadConsoleConfig };
export type { ConsoleConfig };
