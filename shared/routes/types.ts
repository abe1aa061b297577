import type { RouteKey } from '../names/index.ts';
import type { InvalidSink, SinkTarget } from '../sinks/index.ts';

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
  /**
   * The message's `envelope`, else its group's (`CloudEvents/1.0` makes the data path read the
   * CloudEvents NATS binding); undefined when it declares none.
   */
  readonly envelope?: string;
  readonly epoch: number;
};

export type { SchemaVersionRef, RouteRecord };
