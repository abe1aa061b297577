import { parseArgs } from 'node:util';

const PHASES = ['drain', 'inprocess', 'paced', 'ceilings', 'functions'] as const;
type Phase = (typeof PHASES)[number];

type BenchOptions = {
  readonly events: number;
  /** Paced phase: events per second and seconds. */
  readonly rate: number;
  readonly duration: number;
  /** Paced phase: most PubAcks the publisher waits for at once. */
  readonly publishWindow: number;
  readonly phases: readonly Phase[];
  /** Environment for the bridge, the in-process bridge and serverless-offline (the functions). */
  readonly env: Readonly<Record<string, string>>;
  readonly outDir: string;
  /** BENCH_CPU_PROF=1: CPU profiles of the bridge and serverless-offline children. */
  readonly cpuProfile: boolean;
  readonly quick: boolean;
  /** Bridges run from esbuild bundles as in production (infra/aws/Dockerfile) instead of tsx. */
  readonly bundle: boolean;
};

/**
 * The bridge's and functions' knobs, passed through from the bench's environment so a tuning run
 * is `BATCH_MAX_RECORDS=1000 npm run bench`. Anything else goes through `--env KEY=VALUE`.
 */
const KNOBS = [
  'BATCH_MAX_RECORDS',
  'BATCH_MAX_BYTES',
  'BATCH_MAX_WAIT_MS',
  'BRIDGE_MAX_IN_FLIGHT',
  'MAX_ACK_PENDING',
  'ACK_WAIT_MS',
  'LAMBDA_TIMEOUT_MS',
  'DRAIN_TIMEOUT_MS',
  'RETRY_MAX_ATTEMPTS',
  'RETRY_BASE_DELAY_MS',
  'RETRY_MAX_DELAY_MS',
  'DATABASE_POOL_MAX',
  'REGISTRY_CACHE_TTL_MS',
  'REGISTRY_NEGATIVE_CACHE_TTL_MS',
  'LOG_LEVEL',
  // Bench-only: node flags for the in-process bridge child (see bench/children.ts).
  'BENCH_BRIDGE_NODE_ARGS',
] as const;

/**
 * The test plane shortens timers so fault tests finish quickly; a benchmark must run with what
 * production runs, so these restore the documented defaults unless a knob overrides them.
 */
const PRODUCTION_DEFAULTS: Readonly<Record<string, string>> = {
  BATCH_MAX_WAIT_MS: '50',
  ACK_WAIT_MS: '60000',
  LAMBDA_TIMEOUT_MS: '30000',
  RETRY_BASE_DELAY_MS: '1000',
  RETRY_MAX_DELAY_MS: '60000',
  REGISTRY_CACHE_TTL_MS: '5000',
  REGISTRY_NEGATIVE_CACHE_TTL_MS: '1000',
  LOG_LEVEL: 'warn',
};

const USAGE = `usage: npm run bench -- [--events N] [--rate N] [--duration S] [--publish-window N] [--phases ${PHASES.join(',')}]
                        [--quick] [--bundle] [--env KEY=VALUE ...] [--out DIR]
--bundle runs both bridges from esbuild bundles as production does (infra/aws/Dockerfile), not tsx
knobs read from the environment and passed to the bridge and functions: ${KNOBS.join(', ')}
BENCH_CPU_PROF=1 writes CPU profiles of the bridge and serverless-offline next to the results`;

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"\n${USAGE}`);
  return value;
}

function parsePhases(raw: string): Phase[] {
  const phases = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const phase of phases) {
    if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`unknown phase "${phase}"; phases are ${PHASES.join(', ')}`);
  }
  // Always in the canonical order, whatever order was typed.
  return PHASES.filter((phase) => phases.includes(phase));
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--env expects KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function parseBenchOptions(argv: readonly string[], environment: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      events: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'publish-window': { type: 'string' },
      phases: { type: 'string' },
      quick: { type: 'boolean', default: false },
      bundle: { type: 'boolean', default: false },
      env: { type: 'string', multiple: true, default: [] },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  // --quick is a smoke run: small enough for a test, same code paths.
  const quick = values.quick;
  const env: Record<string, string> = { ...PRODUCTION_DEFAULTS };
  for (const knob of KNOBS) {
    const value = environment[knob];
    if (value !== undefined && value !== '') env[knob] = value;
  }
  Object.assign(env, parseEnv(values.env));
  return {
    events: positiveInteger('events', values.events ?? (quick ? '3000' : '200000')),
    rate: positiveInteger('rate', values.rate ?? (quick ? '1000' : '10000')),
    duration: positiveInteger('duration', values.duration ?? (quick ? '2' : '20')),
    publishWindow: positiveInteger('publish-window', values['publish-window'] ?? '1024'),
    phases: parsePhases(values.phases ?? PHASES.join(',')),
    env,
    outDir: values.out,
    cpuProfile: environment.BENCH_CPU_PROF === '1' || environment.BENCH_CPU_PROF === 'true',
    quick,
    bundle: values.bundle,
  };
}

export { KNOBS, parseBenchOptions, PHASES };
export type { BenchOptions, Phase };
