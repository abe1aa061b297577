import { isHostPattern, parseHostPattern } from '../names/index.ts';
import { type Env, EnvReader } from './env.ts';
import { ConfigError } from './errors.ts';
import { loadCliConfig } from './load.ts';
import type { NatsSecurity } from './types.ts';

/** Where HTTP sinks may send events. The registry checks it when a route is stored, the sink before every request. */
type HttpSinkPolicy = {
  /** `host[:port]` patterns (`api.example.com`, `*.example.com`, `10.0.0.5:8443`); empty = no HTTP sink at all. */
  readonly allowedHosts: readonly string[];
  /** Off by default: a resolved loopback, private, link-local, unique-local, CGNAT or metadata address is refused. */
  readonly allowPrivateNetworks: boolean;
};

/** An auth header for one target host, e.g. `authorization: Bearer …`. */
type HttpSinkAuthHeader = { readonly name: string; readonly value: () => string };

type HttpSinkConfig = HttpSinkPolicy & {
  /** Per-request timeout when a route sets no `timeoutms`. */
  readonly timeoutMs: number;
  /**
   * The header to send to `host` (URL.host: `name[:port]`), if any. Secrets come from the
   * environment (a secret store), never from the registry, and are functions so that printing
   * the configuration cannot print them.
   */
  readonly authHeaderFor: (host: string) => HttpSinkAuthHeader | undefined;
};

type NatsSinkConfig = {
  readonly url: string;
  readonly security: NatsSecurity;
  /** Subjects a NATS sink must never publish to: republishing there would loop or pollute dead letters. */
  readonly ingestSubjects: readonly string[];
  readonly deadLetterSubjects: readonly string[];
  readonly publishTimeoutMs: number;
};

/** Keeps one slow or failing sink target from holding up the others. */
type SinkIsolationConfig = {
  /** A target that has not answered by then fails its own records (retryable); the rest go on. */
  readonly deadlineMs: number;
  /** Consecutive all-failed writes to one target that open its circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit fails that target's records at once, before one write tries again. */
  readonly openMs: number;
};

type SinkConfig = {
  readonly http: HttpSinkConfig;
  readonly nats: NatsSinkConfig;
  readonly isolation: SinkIsolationConfig;
};

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function readPolicy(reader: EnvReader): HttpSinkPolicy {
  const allowedHosts = reader.list('HTTP_SINK_ALLOWED_HOSTS', []);
  for (const pattern of allowedHosts) {
    reader.check(isHostPattern(pattern), `HTTP_SINK_ALLOWED_HOSTS: "${pattern}" is not host[:port] (e.g. api.example.com, *.example.com:8443)`);
  }
  return {
    allowedHosts: allowedHosts.map((pattern) => pattern.toLowerCase()),
    allowPrivateNetworks: reader.boolean('HTTP_SINK_ALLOW_PRIVATE_NETWORKS', false),
  };
}

/**
 * `HTTP_SINK_AUTH_HEADERS`: a JSON object from `host[:port]` to either the value of an
 * `Authorization` header or `{"header": "x-api-key", "value": "…"}`. Problems name hosts, never values.
 */
function readAuthHeaders(reader: EnvReader): Map<string, HttpSinkAuthHeader> {
  const headers = new Map<string, HttpSinkAuthHeader>();
  const raw = reader.optionalString('HTTP_SINK_AUTH_HEADERS');
  if (raw === undefined) return headers;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    reader.check(false, 'HTTP_SINK_AUTH_HEADERS is not valid JSON');
    return headers;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    reader.check(false, 'HTTP_SINK_AUTH_HEADERS must be a JSON object: {"host[:port]": "Bearer …"}');
    return headers;
  }
  for (const [host, entry] of Object.entries(parsed)) {
    const pattern = parseHostPattern(host);
    const exact = pattern !== undefined && !pattern.wildcard;
    reader.check(exact, `HTTP_SINK_AUTH_HEADERS: key "${host}" must be an exact host[:port]`);
    const spec = typeof entry === 'string' ? { header: 'authorization', value: entry } : entry;
    const name = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).header : undefined;
    const value = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).value : undefined;
    const ok = typeof name === 'string' && HEADER_NAME.test(name) && typeof value === 'string' && value !== '' && !/[\r\n]/.test(value);
    reader.check(ok, `HTTP_SINK_AUTH_HEADERS["${host}"] must be a header value or {"header": name, "value": value}`);
    if (exact && ok) {
      const secret = value as string;
      const key = pattern.port === undefined ? pattern.host : `${pattern.host}:${pattern.port}`;
      headers.set(key, { name: (name as string).toLowerCase(), value: () => secret });
    }
  }
  return headers;
}

/** The HTTP sink policy alone: what the registry (registry-api, CLI) needs to check routes when they are stored. */
function loadHttpSinkPolicy(env: Env = process.env): HttpSinkPolicy {
  const reader = new EnvReader(env);
  const policy = readPolicy(reader);
  reader.done();
  return policy;
}

/** Configuration of the sinks in the sink-write function. Throws one ConfigError listing every problem. */
function loadSinkConfig(env: Env = process.env): SinkConfig {
  const reader = new EnvReader(env);
  const policy = readPolicy(reader);
  const authHeaders = readAuthHeaders(reader);
  // NATS_URL, the NATS_* security settings and the stream filters mean exactly what they mean for
  // the CLI, so they are read by the same code; its problems join this report.
  let nats: ReturnType<typeof loadCliConfig>['nats'] | undefined;
  try {
    nats = loadCliConfig(env).nats;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) reader.check(false, problem);
  }
  const config: SinkConfig = {
    http: {
      ...policy,
      // Below sink-write's own 25 s timeout, so a slow endpoint fails as a sink timeout.
      timeoutMs: reader.integer('HTTP_SINK_TIMEOUT_MS', 5000, { min: 100, max: 20_000 }),
      authHeaderFor: (host) => authHeaders.get(host.toLowerCase()),
    },
    nats: {
      url: nats?.url ?? '',
      security: nats?.security ?? { auth: undefined, tls: undefined },
      ingestSubjects: nats?.ingest.subjects ?? [],
      deadLetterSubjects: nats?.deadLetter.subjects ?? [],
      publishTimeoutMs: reader.integer('NATS_SINK_PUBLISH_TIMEOUT_MS', 5000, { min: 100, max: 20_000 }),
    },
    isolation: {
      // Below sink-write's own 25 s timeout, so the other targets' results still get back.
      deadlineMs: reader.integer('SINK_TARGET_DEADLINE_MS', 15_000, { min: 100, max: 20_000 }),
      failureThreshold: reader.integer('SINK_CIRCUIT_FAILURES', 5, { min: 1, max: 1000 }),
      openMs: reader.integer('SINK_CIRCUIT_OPEN_MS', 10_000, { min: 100, max: 600_000 }),
    },
  };
  reader.done();
  return config;
}

export { loadHttpSinkPolicy, loadSinkConfig };
export type { HttpSinkAuthHeader, HttpSinkConfig, HttpSinkPolicy, NatsSinkConfig, SinkConfig, SinkIsolationConfig };
