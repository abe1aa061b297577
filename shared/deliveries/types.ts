/**
 * Which events of fan-out routes already reached which sink. Sinks are idempotent on the event id
 * anyway; the ledger is what keeps a retry from calling a sink that already has the event at all
 * (an API call counts even when the receiver dedupes it).
 */
type DeliveryLedger = {
  /** Of `eventIds`, those already delivered to `sink` (a sink identity such as `http:https://…`). */
  delivered(sink: string, eventIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Records that `eventIds` reached `sink`. */
  remember(sink: string, eventIds: readonly string[]): Promise<void>;
  /** Forgets deliveries older than `days`; returns how many rows went. */
  prune(days: number): Promise<number>;
};

export type { DeliveryLedger };
