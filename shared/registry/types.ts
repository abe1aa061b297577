/** The identity of a route: `metrics.cpu.usage.v1` is type `metrics.cpu.usage`, version `v1`. */
type RouteKey = { readonly type: string; readonly version: string };

/** Sink kinds the plane can write to. */
const SinkKind = { postgres: 'postgres', http: 'http', nats: 'nats' } as const;
type SinkKind = (typeof SinkKind)[keyof typeof SinkKind];

/**
 * A PostgreSQL / TimescaleDB table. Without `columns` the table has the default layout (envelope
 * columns + payload jsonb); with them it has event_id, event_time and one column per entry,
 * filled from a path in the decoded event (`{"value": "data.value"}`).
 */
type PostgresSinkTarget = {
  readonly kind: typeof SinkKind.postgres;
  readonly table: string;
  readonly columns?: Readonly<Record<string, string>>;
};

/**
 * An HTTP endpoint that receives JSON: one POST per batch (`{"events": [...]}`) or per event.
 * Attribute names are lower case like every xRegistry attribute, hence `timeoutms`.
 */
type HttpSinkTarget = {
  readonly kind: typeof SinkKind.http;
  readonly url: string;
  readonly mode: 'batch' | 'event';
  readonly timeoutms?: number;
};

/** A NATS subject captured by a JetStream stream; events are republished there as JSON. */
type NatsSinkTarget = { readonly kind: typeof SinkKind.nats; readonly subject: string };

type SinkTarget = PostgresSinkTarget | HttpSinkTarget | NatsSinkTarget;

/** A stored sink the running code does not know or that breaks the rules (edited by hand in SQL). */
type InvalidSink = { readonly kind: 'invalid'; readonly problem: string };

/** One schema version as the data path needs it. */
type SchemaVersionRef = {
  /** `/schemagroups/g/schemas/s/versions/v` */
  readonly xid: string;
  /** `/schemagroups/g/schemas/s`: writers must belong to the same schema as the reader. */
  readonly schemaXid: string;
  readonly format: string;
  readonly definition: unknown;
  readonly numericId: number;
  readonly fingerprint: string;
  /** Changes whenever the version's document may have changed; keys compiled types. */
  readonly cacheKey: string;
};

/** What the registry says about one event type and version (an xRegistry message definition). */
type RouteRecord = {
  readonly key: RouteKey;
  readonly subject: string;
  /** `/messagegroups/g/messages/m` */
  readonly messageXid: string;
  /** The reader schema: the version the message pins, or its schema's default version. */
  readonly schema: SchemaVersionRef;
  /** One entry, or several for a fan-out route; each re-checked when read back. */
  readonly sinks: readonly (SinkTarget | InvalidSink)[];
  readonly deadLetterSubject: string;
  /** Deliveries before a transient failure is dead-lettered; undefined = the bridge's default. */
  readonly retryBudget: number | undefined;
  readonly wireFormat: string;
  readonly epoch: number;
};

export { SinkKind };
export type { RouteKey, PostgresSinkTarget, HttpSinkTarget, NatsSinkTarget, SinkTarget, InvalidSink, SchemaVersionRef, RouteRecord };
