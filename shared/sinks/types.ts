import type { SinkWriteRecord, SinkWriteResult } from './records.ts';

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

/**
 * One sink kind. `write` gets records that all share `target` and answers one result per record,
 * in any order; it throws only for failures that concern the whole batch.
 */
type Sink<T extends SinkTarget = SinkTarget> = {
  readonly kind: T['kind'];
  write(target: T, records: readonly SinkWriteRecord[]): Promise<SinkWriteResult[]>;
  /**
   * Of `eventIds`, those the target already holds. Only sinks that can be asked implement it (a
   * table, by its idempotency key); for the others sink-write knows only its delivery state.
   */
  has?(target: T, eventIds: readonly string[]): Promise<ReadonlySet<string>>;
};

export { SinkKind };
export type { Sink, PostgresSinkTarget, HttpSinkTarget, NatsSinkTarget, SinkTarget, InvalidSink };
