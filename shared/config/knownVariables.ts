import type { Env } from './env.ts';
import { LOADERS } from './loaders.ts';

/**
 * Variables of the plane that no TypeScript loader reads, each with its reader. A test
 * (test/unit/knownVariables.test.ts) finds every variable the shell scripts read and fails
 * when one with a plane prefix is missing here, so this list cannot drift either.
 */
const READ_OUTSIDE_LOADERS: Readonly<Record<string, string>> = {
  BRIDGE_DEPLOYMENT: 'infra/aws/deploy.sh',
  BRIDGE_IMAGE_TAG: 'infra/aws/deploy.sh',
  BRIDGE_PARAMETERS: 'infra/aws/deploy.sh',
  BRIDGE_PLATFORM: 'infra/aws/deploy.sh',
  INGEST_SECRETS_DIR: 'infra/aws/bridge-entrypoint.sh',
  NATS_CREDS_CONTENT: 'infra/aws/bridge-entrypoint.sh',
  NATS_TLS_CA_CONTENT: 'infra/aws/bridge-entrypoint.sh',
  NATS_TLS_CERT_CONTENT: 'infra/aws/bridge-entrypoint.sh',
  NATS_TLS_KEY_CONTENT: 'infra/aws/bridge-entrypoint.sh',
  ESBUILD_WORK_FOLDER: "serverless.yml (serverless-esbuild's work folder; infra/local gives each serverless-offline its own)",
  FAULT_EVENTS: 'test/integration/faults.test.ts',
  FAULT_PG_DOWN_MS: 'test/integration/faults.test.ts',
  REGISTRY_FUZZ_SEED: 'test/integration/registryApiFuzz.test.ts',
  REGISTRY_FUZZ_REQUESTS: 'test/integration/registryApiFuzz.test.ts',
};

/**
 * Test-only fault points. Each is read by a loader (so it is known like any other variable), is off
 * by default, and when set makes a process fail on purpose; docs/testing.md describes the fault tests.
 * They exist for the tests that prove what the plane does when a step fails, never for production.
 */
const TEST_ONLY_VARIABLES: Readonly<Record<string, string>> = {
  FAULT_INJECTION_PERCENT: 'functions: the share of invocations that fail before the handler runs (evenly spaced: at 20, every fifth)',
  FAULT_LOSE_ANSWER_PERCENT: 'sink-write: the share of committed writes whose answer is lost',
  FAULT_BRIDGE_EXIT_AT: 'bridge: the settlement step at which it kills itself (SIGKILL), once',
  FAULT_DEAD_LETTER_PUBLISH_FAILURES: 'bridge: how many of its first dead-letter publishes fail before reaching the stream',
};

/** Set inside the plane's prefixes by others: the Lambda runtime (and serverless-offline) in every function. */
const SET_BY_OTHERS: readonly string[] = ['LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR'];

/** First name segments that belong to other software: the AWS SDK and Lambda runtime set dozens of AWS_*. */
const FOREIGN_NAMESPACES: ReadonlySet<string> = new Set(['AWS']);
/** First segments the plane shares (HTTP_PROXY): its own prefix there is two segments long (HTTP_SINK_). */
const SHARED_NAMESPACES: ReadonlySet<string> = new Set(['HTTP']);

/** Runs every loader against `env`, recording each variable it asks for. */
function recordReads(env: Env, into: Set<string>): void {
  const recording = new Proxy(env, {
    get(target, key, receiver) {
      if (typeof key === 'string') into.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  for (const load of Object.values(LOADERS)) {
    try {
      load(recording);
    } catch {
      // Invalid values are the loader's own report when the process really loads its config;
      // here only the names it asked for matter, and those were recorded before it threw.
    }
  }
}

/**
 * The variables the plane reads. The loaders are asked twice: with an empty environment (every
 * variable read unconditionally) and with `env`, so a variable read only when another is set
 * (AWS_ACCESS_KEY_ID with LAMBDA_ENDPOINT) is known exactly when it matters.
 */
function knownVariables(env: Env = {}): ReadonlySet<string> {
  const names = new Set<string>([...Object.keys(READ_OUTSIDE_LOADERS), ...SET_BY_OTHERS]);
  recordReads({}, names);
  recordReads(env, names);
  return names;
}

/** The prefix a variable name gives the plane (BATCH_ from BATCH_MAX_RECORDS), if any. */
function planePrefixOf(name: string): string | undefined {
  const segments = name.split('_');
  if (segments.length < 2 || segments[0] === '') return undefined;
  const [first, second] = segments as [string, string, ...string[]];
  if (FOREIGN_NAMESPACES.has(first)) return undefined;
  if (SHARED_NAMESPACES.has(first)) return segments.length >= 3 ? `${first}_${second}_` : undefined;
  return `${first}_`;
}

/** The prefixes of the plane's own variables: a variable starting with one of them is meant for the plane. */
function planePrefixes(known: Iterable<string>): ReadonlySet<string> {
  const prefixes = new Set<string>();
  for (const name of known) {
    const prefix = planePrefixOf(name);
    if (prefix !== undefined) prefixes.add(prefix);
  }
  return prefixes;
}

export { knownVariables, planePrefixes, planePrefixOf, READ_OUTSIDE_LOADERS, SET_BY_OTHERS, TEST_ONLY_VARIABLES };
