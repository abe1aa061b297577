import type { SinkWriteRecord, SinkWriteResult } from '../contracts/index.ts';
import type { SinkTarget } from '../registry/index.ts';

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

export type { Sink };
