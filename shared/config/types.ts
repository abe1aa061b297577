import type { BridgeHttpConfig, TelemetryConfig } from './telemetry.ts';

import type { LogLevel } from '../logging/index.ts';

type StreamConfig = {
  /** JetStream stream name. */
  readonly name: string;
  /** Subject filters the stream captures. */
  readonly subjects: readonly string[];
};

/**
 * How the client proves who it is; at most one method per connection. Secret values are
 * functions, so logging or JSON-printing a config object cannot print the secret itself.
 */
type NatsAuth =
  | {
      readonly kind: 'creds';
      /** A `.creds` file (user JWT + nkey seed); re-read at every (re)connect, so a rotated file is picked up. */
      readonly credsFile: string;
    }
  | { readonly kind: 'userPassword'; readonly user: string; readonly password: () => string }
  | { readonly kind: 'token'; readonly token: () => string };

/** PEM files for the TLS connection; each is optional (system CAs are used when caFile is unset). */
type NatsTls = {
  readonly caFile: string | undefined;
  /** Client certificate, for servers that verify clients (mutual TLS); set together with keyFile. */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
};

type NatsSecurity = {
  readonly auth: NatsAuth | undefined;
  /** Set when the connection must be TLS: a `tls://` URL or any NATS_TLS_* file. */
  readonly tls: NatsTls | undefined;
};

type NatsConfig = {
  readonly url: string;
  readonly security: NatsSecurity;
  readonly ingest: StreamConfig;
  readonly deadLetter: StreamConfig & {
    /** How long dead letters are kept, in days. */
    readonly maxAgeDays: number;
    /**
     * JetStream object store bucket for the original bytes of dead letters too large to carry them
     * inline (the server's max_payload); kept as long as the dead letters.
     */
    readonly payloadBucket: string;
  };
  /** Durable pull consumer shared by every bridge replica. */
  readonly consumer: string;
  /**
   * The part of the ingest stream this consumer takes (`INGEST_CONSUMER_FILTER`); unset = all of
   * it. Two bridge deployments with their own consumers and disjoint filters isolate route groups.
   */
  readonly consumerFilter: string | undefined;
  /** Where dead letters go when no route (and so no route-level subject) is known. */
  readonly defaultDeadLetterSubject: string;
  /**
   * The KV bucket each bridge replica publishes its figures to (shared/figures) and the console
   * reads them from; created by the first replica that publishes.
   */
  readonly figuresBucket: string;
};

type BatchConfig = {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxWaitMs: number;
};

type RetryConfig = {
  /** Deliveries a transiently failing event gets before it is dead-lettered. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * The server's own cap on deliveries (consumer max_deliver): the backstop for messages the
   * bridge never settles (say, it crashes on them). Route budgets are clamped below it.
   */
  readonly maxDeliver: number;
};

type LambdaConfig = {
  /** Set for serverless-offline (`http://127.0.0.1:3002`); unset means AWS Lambda itself. */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly functionNames: {
    readonly validate: string;
    readonly route: string;
    readonly sinkWrite: string;
  };
  /** True when the environment provides no AWS credentials and a local endpoint is used. */
  readonly useLocalCredentials: boolean;
  readonly timeoutMs: number;
  /**
   * The largest invoke request the bridge sends (Lambda's synchronous limit is 6 MB); bigger
   * requests are split, and a record too big on its own is dead-lettered (`payload_too_large`).
   */
  readonly maxRequestBytes: number;
};

/** The steps of the bridge's settlement at which a fault test can make the bridge process die. */
type BridgeExitStep = 'before-sink-write' | 'after-sink-commit' | 'after-dead-letter-publish';

/**
 * Test-only fault points of the bridge, for the tests that prove its settlement order: off (the
 * defaults) everywhere else.
 */
type BridgeFaults = {
  /**
   * FAULT_BRIDGE_EXIT_AT: the step at which the bridge kills itself (SIGKILL, no drain) the first
   * time it gets there: after validate and route, before any sink-write call; after sink-write
   * answered committed, before any ack; after a dead letter was stored, before its original's term.
   */
  readonly exitAt: BridgeExitStep | undefined;
  /**
   * FAULT_DEAD_LETTER_PUBLISH_FAILURES: how many of the bridge's first dead-letter publishes fail
   * before they reach the stream (as when it is unreachable).
   */
  readonly deadLetterPublishFailures: number;
};

type BridgeConfig = {
  readonly logLevel: LogLevel;
  readonly telemetry: TelemetryConfig;
  /** The bridge's HTTP port: `/metrics`, `/healthz`, `/readyz`. */
  readonly http: BridgeHttpConfig;
  readonly nats: NatsConfig;
  readonly batch: BatchConfig;
  readonly retry: RetryConfig;
  readonly lambda: LambdaConfig;
  /** Batches invoked concurrently by one replica. */
  readonly maxInFlight: number;
  /** Messages one replica holds at once (received, not yet settled); it pulls only into free places. */
  readonly maxHeld: number;
  /** Sink-write calls in flight per sink target (per replica); defaults to maxInFlight. */
  readonly sinkTargetConcurrency: number;
  /** Unacknowledged messages the server lets all replicas hold together: the back-pressure bound. */
  readonly maxAckPending: number;
  /** Server-side redelivery timer; must exceed the slowest batch round trip. */
  readonly ackWaitMs: number;
  /** How long SIGTERM waits for in-flight batches before giving up. */
  readonly drainTimeoutMs: number;
  /** How often a replica logs a `bridge stats` line (throughput, failures, consumer lag); 0 = never. */
  readonly statsIntervalMs: number;
  /** How often a replica publishes its figures to the figures bucket (at least 1000); 0 = never. */
  readonly figuresIntervalMs: number;
  /** Create or update the streams and the consumer at start. */
  readonly provision: boolean;
  /** Test-only fault points; off by default. */
  readonly faults: BridgeFaults;
};

type RegistryCacheConfig = {
  /** How long a found registry entry is served from memory before it is re-read. */
  readonly ttlMs: number;
  /** How long a missing key is remembered, so a flood of unknown events cannot hammer the database. */
  readonly negativeTtlMs: number;
};

type FunctionConfig = {
  readonly logLevel: LogLevel;
  readonly telemetry: TelemetryConfig;
  readonly databaseUrl: string;
  readonly databasePoolMax: number;
  readonly registryCache: RegistryCacheConfig;
  /**
   * Share of invocations that fail on purpose before doing anything (FAULT_INJECTION_PERCENT / 100).
   * A test hook for the fault tests; 0, the default, everywhere else.
   */
  readonly faultInjectionRate: number;
  /**
   * Share of sink-write calls whose answer is lost after the sink committed
   * (FAULT_LOSE_ANSWER_PERCENT / 100): a test hook for the "committed, answer lost" path; 0 elsewhere.
   */
  readonly faultLoseAnswerRate: number;
};

type CliConfig = {
  readonly logLevel: LogLevel;
  readonly databaseUrl: string;
  readonly nats: NatsConfig;
};

/** The local launcher (`npm start`): where serverless-offline listens. */
type LocalConfig = {
  readonly offlineLambdaPort: number;
  readonly offlineHttpPort: number;
  readonly stage: string;
};

export type {
  BridgeHttpConfig,
  TelemetryConfig,
  LocalConfig,
  LogLevel,
  StreamConfig,
  NatsAuth,
  NatsTls,
  NatsSecurity,
  NatsConfig,
  BatchConfig,
  RetryConfig,
  LambdaConfig,
  BridgeConfig,
  BridgeExitStep,
  BridgeFaults,
  RegistryCacheConfig,
  FunctionConfig,
  CliConfig,
};
