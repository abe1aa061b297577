import { TEST_ONLY_VARIABLES } from './knownVariables.ts';

/** What the configuration reference says about one variable, beside what the loaders reveal. */
type VariableDescription = {
  /** One or two sentences: what the variable changes, in the terms an operator uses. */
  readonly text: string;
  /** The value carries a credential (or may): keep it in a secret store and out of logs. */
  readonly secret?: true;
  /**
   * The default in words, for the few whose fallback is computed from other settings or from where
   * the repository lies; every other default is the one the loader itself falls back to.
   */
  readonly defaultText?: string;
};

/**
 * One entry per known variable (knownVariables()): docs/configuration.md is generated from these and
 * from the loaders' own reads, and a unit test fails when a variable lacks its entry here.
 */
const VARIABLE_DESCRIPTIONS: Readonly<Record<string, VariableDescription>> = {
  // Connections
  NATS_URL: {
    text: 'The NATS server. A `tls://` URL makes TLS mandatory. It may carry credentials, but then no `NATS_*` authentication variable may be set too.',
    secret: true,
  },
  NATS_CREDS_FILE: { text: 'A `.creds` file (user JWT + nkey seed), re-read at every reconnect. At most one NATS authentication method may be set.' },
  NATS_USER: { text: 'NATS user name; set together with `NATS_PASSWORD`, never alone.' },
  NATS_PASSWORD: { text: 'NATS password; set together with `NATS_USER`, never alone.', secret: true },
  NATS_TOKEN: { text: 'A NATS authentication token.', secret: true },
  NATS_TLS_CA_FILE: { text: 'PEM CA bundle for the NATS server certificate (system CAs otherwise); setting it makes TLS mandatory.' },
  NATS_TLS_CERT_FILE: { text: 'PEM client certificate, for servers that verify clients; set together with `NATS_TLS_KEY_FILE`.' },
  NATS_TLS_KEY_FILE: { text: 'PEM key of the client certificate; set together with `NATS_TLS_CERT_FILE`.', secret: true },
  DATABASE_URL: {
    text: 'The PostgreSQL database of the registry and the PostgreSQL sinks. On AWS it comes from the SSM SecureString `/ingest/<stage>/database-url`; errors name it with the password masked.',
    secret: true,
  },
  DATABASE_POOL_MAX: { text: "Connections per function container. Keep sink-write's reserved concurrency × this within the database's connection limit." },
  LOG_LEVEL: { text: 'One of `debug`, `info`, `warn`, `error`. Log lines are one JSON object each: info and debug on stdout, warn and error on stderr.' },

  // Streams and consumer
  INGEST_STREAM: { text: 'The JetStream stream producers publish into.' },
  INGEST_SUBJECTS: { text: 'Subject filters the ingest stream captures; every route subject must fall inside them.' },
  INGEST_CONSUMER: { text: 'The durable pull consumer every bridge replica of one deployment shares.' },
  INGEST_CONSUMER_FILTER: {
    text: "The part of `INGEST_SUBJECTS` this deployment's consumer takes (unset: all of it). Fixed once the consumer exists: nats-server 2.9 cannot change a filter, and the bridge refuses to start when it differs.",
  },
  DEADLETTER_STREAM: { text: 'The JetStream stream that keeps dead letters; must differ from `INGEST_STREAM`.' },
  DEADLETTER_SUBJECTS: { text: 'Subject filters the dead-letter stream captures; every dead-letter subject must fall inside them.' },
  DEADLETTER_DEFAULT_SUBJECT: {
    text: 'Where dead letters go when no route (so no route dead-letter subject) is known, and letters for messages that ran out of deliveries.',
  },
  DEADLETTER_MAX_AGE_DAYS: { text: 'How long dead letters, and the originals kept for them in the object store, are kept.' },
  DEADLETTER_PAYLOAD_BUCKET: {
    text: 'JetStream object store bucket for the original headers and payload of a dead letter too large for one NATS message.',
    defaultText: '`<DEADLETTER_STREAM>_PAYLOADS`',
  },
  FIGURES_BUCKET: {
    text: "The NATS KV bucket where every bridge replica publishes its figures (counts, latency, consumer lag, circuits) under `replica.<id>`, and where the console reads them. Created by the first replica that publishes; a replica's entry expires a minute or six intervals after its last publish.",
  },

  // The bridge
  BATCH_MAX_RECORDS: { text: 'Events per batch (one validate and one route invoke).' },
  BATCH_MAX_BYTES: { text: 'Bytes of payload per batch; must be below `LAMBDA_MAX_REQUEST_BYTES`, since a batch is one validate request.' },
  BATCH_MAX_WAIT_MS: { text: 'How long a batch waits to fill before it is sent anyway. Shorter lowers latency at light load and costs CPU per event.' },
  BRIDGE_MAX_IN_FLIGHT: { text: 'Batches one replica invokes at once.' },
  BRIDGE_MAX_HELD: {
    text: 'Messages one replica holds at once (received, not yet settled); it pulls only into free places, so the rest of a backlog stays with the server and the other replicas.',
    defaultText: '(`BRIDGE_MAX_IN_FLIGHT` + 1) × `BATCH_MAX_RECORDS` = `2500`',
  },
  BRIDGE_SINK_TARGET_CONCURRENCY: {
    text: 'sink-write calls in flight per sink target and replica, so a rate-limited endpoint never gets more parallel writes than this.',
    defaultText: '`BRIDGE_MAX_IN_FLIGHT`',
  },
  BRIDGE_STATS_INTERVAL_MS: {
    text: 'How often each replica logs a `bridge stats` line (committed, duplicates, dead-lettered, retried, batches and events/s since the last line; the consumer’s pending, ackPending and redelivered); 0 turns it off.',
  },
  BRIDGE_FIGURES_INTERVAL_MS: {
    text: "How often each replica publishes its figures (the console's live charts) to `FIGURES_BUCKET`: at least 1000, or 0 to turn it off. The console's charts have one point per interval.",
  },
  BRIDGE_PROVISION: { text: 'Create or update the streams and the consumer at start (`false` when operators manage them).' },
  MAX_ACK_PENDING: {
    text: 'Unacknowledged messages the consumer lets all replicas hold together (events waiting out a retry delay count too): the back-pressure bound.',
  },
  MAX_DELIVER: {
    text: "The consumer's server-side delivery cap: a message that reaches it (a bridge crashing on it) is dead-lettered from the max-deliveries advisory. Route retry budgets are clamped below it.",
  },
  ACK_WAIT_MS: { text: 'Server-side redelivery timer of the consumer; must exceed `LAMBDA_TIMEOUT_MS`, or batches still in flight are redelivered.' },
  DRAIN_TIMEOUT_MS: { text: 'How long SIGTERM waits for in-flight batches before the bridge gives up; anything cut off is redelivered.' },
  RETRY_MAX_ATTEMPTS: {
    text: 'Deliveries a transiently failing event gets before it is dead-lettered `retries_exhausted`, unless its route sets `ingestion.retrybudget`. Must be below `MAX_DELIVER`.',
  },
  RETRY_BASE_DELAY_MS: { text: 'First retry delay; it doubles per attempt, with jitter. A sink’s Retry-After raises it.' },
  RETRY_MAX_DELAY_MS: { text: 'Cap of the retry delay, also of a Retry-After a sink asks for.' },
  LAMBDA_ENDPOINT: {
    text: 'Where the bridge invokes the functions: unset is AWS Lambda (AWS SDK, SigV4); a loopback `http://` endpoint such as serverless-offline’s `http://127.0.0.1:3002` is spoken to directly over keep-alive HTTP, any other endpoint through the SDK.',
  },
  LAMBDA_TIMEOUT_MS: { text: 'Deadline of one invoke; a call past it fails its records as retryable.' },
  LAMBDA_MAX_REQUEST_BYTES: {
    text: "The largest invoke request the bridge sends (Lambda's synchronous limit is the maximum): larger requests are split, a record too large alone is dead-lettered `payload_too_large`.",
  },
  OTEL_SDK_DISABLED: { text: 'Turns OpenTelemetry off: no metrics SDK, no spans; `/metrics` answers empty. For measuring what telemetry costs.' },
  OTEL_SERVICE_NAME: {
    text: 'The `service.name` on every span and metric.',
    defaultText: '`ingest-bridge` for the bridge; the function name (`AWS_LAMBDA_FUNCTION_NAME`) for a function',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    text: "An OTLP/HTTP collector (e.g. `http://collector:4318`): spans go to `/v1/traces`, the bridge's metrics to `/v1/metrics`. Unset, nothing is exported and tracing costs nothing.",
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { text: 'The full OTLP/HTTP traces URL, when it is not `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.' },
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: { text: 'The full OTLP/HTTP metrics URL, when it is not `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/metrics`.' },
  OTEL_METRIC_EXPORT_INTERVAL: { text: 'Milliseconds between OTLP metric pushes (the Prometheus endpoint is read on scrape and needs none).' },
  BRIDGE_HTTP_PORT: {
    text: "The bridge's HTTP port: `/metrics` (Prometheus text format), `/healthz` (the process lives) and `/readyz` (NATS connected, the consumer exists, the stages answer); 0 turns it off.",
  },
  BRIDGE_HTTP_HOST: { text: "The address the bridge's HTTP port binds (`127.0.0.1` to keep it off the network)." },
  AWS_LAMBDA_FUNCTION_NAME: { text: "Set by Lambda and serverless-offline: the function's name, the default `service.name` of its telemetry." },
  AWS_REGION: { text: "The region of the functions the bridge invokes (the AWS SDK's own variable)." },
  AWS_ACCESS_KEY_ID: {
    text: "Read only when `LAMBDA_ENDPOINT` is set: without it the bridge uses dummy local credentials (serverless-offline checks none). Otherwise the AWS SDK's own variable.",
    secret: true,
  },
  FUNCTION_PREFIX: {
    text: 'Prefix of the three function names the bridge invokes (`<prefix>validate`, `<prefix>route`, `<prefix>sink-write`), e.g. `ingest-prod-`.',
  },
  FUNCTION_VALIDATE: { text: 'The validate function’s name, when it does not follow `FUNCTION_PREFIX`.', defaultText: '`<FUNCTION_PREFIX>validate`' },
  FUNCTION_ROUTE: { text: 'The route function’s name, when it does not follow `FUNCTION_PREFIX`.', defaultText: '`<FUNCTION_PREFIX>route`' },
  FUNCTION_SINK_WRITE: { text: 'The sink-write function’s name, when it does not follow `FUNCTION_PREFIX`.', defaultText: '`<FUNCTION_PREFIX>sink-write`' },

  // The functions and the registry
  REGISTRY_CACHE_TTL_MS: { text: 'How long functions serve a found route or writer schema from memory; registry changes reach them within this time.' },
  REGISTRY_NEGATIVE_CACHE_TTL_MS: {
    text: 'How long an unknown subject, schema id or fingerprint is remembered, so a flood of bad events costs one query per key and interval.',
  },
  REGISTRY_API_TOKEN: {
    text: 'Bearer token for registry writes (at least 16 characters); unset, the API is read-only. `npm start` generates one when unset; on AWS it comes from the SSM SecureString `/ingest/<stage>/registry-api-token`.',
    secret: true,
  },
  REGISTRY_PUBLIC_URL: {
    text: 'The registry API’s public base URL: every `self` link and `Location` is built from it, never from request headers. Unset, it is `http://127.0.0.1:3000` and a warning is logged; set it everywhere but locally.',
  },
  REGISTRY_API_CORS_ORIGINS: {
    text: 'Comma-separated exact origins (`scheme://host[:port]`) whose pages may call the API; unset: no CORS headers at all. `*` is refused.',
  },
  REGISTRY_URL: {
    text: '`ingest registry check-compat` reads the registry over HTTP from here (what a producer team runs in its CI); unset, it reads the database.',
  },
  DLQ_REPLAY_MAX_REPLAYS: { text: 'Replays after which a dead letter that still fails is parked for good (skipped, history kept).' },
  DLQ_REPLAY_LIMIT: { text: 'Dead letters one replay run examines; parked letters are skipped without counting.' },
  DLQ_REPLAY_RATE_PER_SECOND: { text: 'Re-published events per second during a replay, so a replay cannot swamp the sinks.' },
  CONSOLE_REQUIRE_AUTH: {
    text: 'The operator console’s reads need the registry token too (its writes always do); needs `REGISTRY_API_TOKEN`. Off: anyone who reaches `/console` sees routes, the registry and dead letters.',
  },
  INGEST_STAGE: { text: 'The deployment’s stage, shown by the operator console (`serverless.yml` sets it to the osls stage).' },
  SINK_DELIVERY_RETENTION_DAYS: {
    text: 'Days the per-sink delivery state of fan-out routes is kept; each dlq-replay run prunes older rows. Longer than dead letters are kept, so a replayed letter still skips the sinks it reached.',
  },

  // Sinks
  HTTP_SINK_ALLOWED_HOSTS: {
    text: 'Comma-separated `host[:port]` patterns HTTP sinks may send to (`api.example.com`, `*.example.com`, `10.0.0.5:8080`); empty: no HTTP sink. sink-write, registry-api, the CLI and `npm start` need the same value, so a route sink-write would refuse is refused when stored.',
  },
  HTTP_SINK_ALLOW_PRIVATE_NETWORKS: { text: 'Allow HTTP sink targets that resolve to loopback, private, link-local or other non-public addresses.' },
  HTTP_SINK_TIMEOUT_MS: { text: 'Per-request timeout of an HTTP sink whose route sets no `timeoutms`.' },
  HTTP_SINK_AUTH_HEADERS: {
    text: 'JSON object from exact `host[:port]` to an `Authorization` value or `{"header": "x-api-key", "value": "…"}`; never printed.',
    secret: true,
  },
  NATS_SINK_PUBLISH_TIMEOUT_MS: { text: 'JetStream publish timeout of a NATS sink.' },
  SINK_TARGET_DEADLINE_MS: { text: 'A sink target that has not answered by then fails its own records (retryable); the other targets’ results return.' },
  SINK_CIRCUIT_FAILURES: {
    text: 'All-failed writes in a row after which a target’s circuit opens: its records are delayed at once (Retry-After = time left) without touching it, while other routes keep flowing.',
  },
  SINK_CIRCUIT_OPEN_MS: { text: 'How long an open circuit stays open before one write tries the target again.' },

  // npm start and the local services
  OFFLINE_LAMBDA_PORT: { text: 'Port of serverless-offline’s Lambda API under `npm start`: where the bridge invokes.' },
  OFFLINE_HTTP_PORT: { text: 'Port of serverless-offline’s HTTP server under `npm start`: the registry API.' },
  STAGE: { text: 'The serverless stage `npm start` runs (1-16 of `[a-z0-9-]`).' },
  LOCAL_DATA_DIR: {
    text: '`npm start`’s lock file (`plane.json`), the logs of what it starts, and the data of the NATS/PostgreSQL it starts; `npm run services:*` use it too.',
    defaultText: '`.local/` in the repository',
  },
  LOCAL_REGISTRY_DIR: { text: 'The `*.xreg.json` documents `npm start` seeds.', defaultText: '`infra/registry/` in the repository' },

  // Test-only fault points: described where they are declared.
  ...Object.fromEntries(Object.entries(TEST_ONLY_VARIABLES).map(([name, text]) => [name, { text }])),

  // Read outside the loaders
  BRIDGE_DEPLOYMENT: {
    text: 'Which bridge deployment `infra/aws/deploy.sh` deploys: `bridge` (default, owns the ECS cluster) or another with its own stack, consumer and filter.',
  },
  BRIDGE_IMAGE_TAG: { text: 'The bridge image tag `infra/aws/deploy.sh` deploys (default: the current commit, which needs a clean tree).' },
  BRIDGE_PARAMETERS: { text: 'More `Key=Value` overrides for the bridge stack (required on the first deploy, e.g. `NatsUrl=…`), kept afterwards.' },
  BRIDGE_PLATFORM: { text: '`docker --platform` of a newly built bridge image (default `linux/amd64`, matching the stack’s X86_64).' },
  INGEST_SECRETS_DIR: { text: 'Where the bridge image’s entrypoint writes injected NATS secrets as files (default `/run/ingest-secrets`).' },
  NATS_CREDS_CONTENT: { text: 'A `.creds` file’s content injected by ECS; the entrypoint writes it to a file and sets `NATS_CREDS_FILE`.', secret: true },
  NATS_TLS_CA_CONTENT: { text: 'CA bundle injected by ECS; written to a file for `NATS_TLS_CA_FILE`.' },
  NATS_TLS_CERT_CONTENT: { text: 'Client certificate injected by ECS; written to a file for `NATS_TLS_CERT_FILE`.' },
  NATS_TLS_KEY_CONTENT: { text: 'Client key injected by ECS; written to a file for `NATS_TLS_KEY_FILE`.', secret: true },
  ESBUILD_WORK_FOLDER: { text: 'Where serverless-esbuild bundles (default `.esbuild`); each serverless-offline the tests start gets its own.' },
  FAULT_EVENTS: { text: 'Events per fault in `npm run test:faults` (default 2500; 20000 runs the full set).' },
  FAULT_PG_DOWN_MS: { text: 'How long the fault test keeps PostgreSQL stopped (default 4000).' },
  REGISTRY_FUZZ_SEED: { text: 'Seed of the registry API fuzz test, to replay a failing run.' },
  REGISTRY_FUZZ_REQUESTS: { text: 'Mutated requests the registry API fuzz test sends (default 3000).' },

  // Set by others
  LAMBDA_TASK_ROOT: { text: 'Set by the Lambda runtime (and serverless-offline) in every function; known so it is never reported as a misspelling.' },
  LAMBDA_RUNTIME_DIR: { text: 'Set by the Lambda runtime (and serverless-offline) in every function; known so it is never reported as a misspelling.' },
};

export { VARIABLE_DESCRIPTIONS };
export type { VariableDescription };
