/**
 * Every metric the bridge exports, in one table: the instrument's OpenTelemetry name, kind, unit
 * and attributes, and the name Prometheus shows for it. The bridge creates its instruments from
 * this table, the dashboard test and `ingest status` read it, so a metric cannot be renamed in one
 * place and not the other.
 *
 * Names follow the OpenTelemetry guidelines (dotted lowercase, the unit in `unit`, `{event}` style
 * annotations for counts); the Prometheus name follows the OpenTelemetry → Prometheus mapping
 * (dots to underscores, the unit as a suffix, `_total` on counters).
 *
 * Attributes are bounded: a route key only when the registry knows the route (else `unknown`), a
 * sink target's id as the registry names it, a stage, a reason code from the failure taxonomy. No
 * event ids, no raw subjects.
 */
type MetricKind = 'counter' | 'updowncounter' | 'histogram' | 'gauge';

type MetricSpec = {
  readonly name: string;
  readonly kind: MetricKind;
  /** UCUM unit: `s` (seconds), `{event}`, `{message}`, `{batch}`, `1`. */
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly string[];
};

/** Route key attribute for an event whose route the registry does not know (or whose subject does not parse). */
const UNKNOWN_ROUTE = 'unknown';

const METRICS = {
  eventsReceived: {
    name: 'ingest.bridge.events.received',
    kind: 'counter',
    unit: '{event}',
    description: 'Messages the bridge pulled from the ingest stream and ran through the stages (redeliveries count again).',
    attributes: ['route'],
  },
  eventsCommitted: {
    name: 'ingest.bridge.events.committed',
    kind: 'counter',
    unit: '{event}',
    description: 'Events acknowledged after every sink of their route committed them for the first time.',
    attributes: ['route'],
  },
  eventsDuplicate: {
    name: 'ingest.bridge.events.duplicates',
    kind: 'counter',
    unit: '{event}',
    description: 'Events acknowledged that every sink already held (a redelivery, replay or repeat publish): not written twice.',
    attributes: ['route'],
  },
  eventsDeadLettered: {
    name: 'ingest.bridge.events.dead_lettered',
    kind: 'counter',
    unit: '{event}',
    description: 'Events whose dead letter was stored and whose original was terminated.',
    attributes: ['route', 'stage', 'reason'],
  },
  eventsRetried: {
    name: 'ingest.bridge.events.retried',
    kind: 'counter',
    unit: '{event}',
    description: 'Negative acknowledgements with a delay: the event comes back after a retryable failure.',
    attributes: ['route', 'stage', 'reason'],
  },
  sinkRecords: {
    name: 'ingest.bridge.sink.records',
    kind: 'counter',
    unit: '{event}',
    description: 'Per sink target, what sink-write answered for each record sent to it.',
    attributes: ['sink', 'outcome', 'reason'],
  },
  messagesHeld: {
    name: 'ingest.bridge.messages.held',
    kind: 'updowncounter',
    unit: '{message}',
    description: 'Messages this replica holds: pulled, not yet acknowledged, delayed or terminated.',
    attributes: [],
  },
  stageRecordsInFlight: {
    name: 'ingest.bridge.stage.records.in_flight',
    kind: 'updowncounter',
    unit: '{event}',
    description: 'Records in stage invocations that have not answered yet.',
    attributes: ['stage'],
  },
  stageInvokeDuration: {
    name: 'ingest.bridge.stage.invoke.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Round trip of one stage invocation, as the bridge sees it.',
    attributes: ['stage', 'outcome'],
  },
  batchSize: {
    name: 'ingest.bridge.batch.size',
    kind: 'histogram',
    unit: '{event}',
    description: 'Messages per batch the bridge runs through the stages.',
    attributes: [],
  },
  publishToCommit: {
    name: 'ingest.bridge.publish_to_commit.duration',
    kind: 'histogram',
    unit: 's',
    // No route label: the SDK hashes a histogram's attributes on every record, one per event; the
    // bench measured that at about 3 % of the bridge's CPU. The per-route rate is eventsCommitted.
    description: 'From the JetStream publish of an event to its acknowledgement after the sinks committed it (all routes).',
    attributes: [],
  },
  consumerPending: {
    name: 'ingest.consumer.pending',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages in the ingest stream the consumer has not delivered yet (all replicas together).',
    attributes: ['stream', 'consumer'],
  },
  consumerAckPending: {
    name: 'ingest.consumer.ack_pending',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages delivered and not yet acknowledged (including ones waiting out a retry delay).',
    attributes: ['stream', 'consumer'],
  },
  consumerRedelivered: {
    name: 'ingest.consumer.redelivered',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages delivered more than once and not yet acknowledged.',
    attributes: ['stream', 'consumer'],
  },
  deadLetterDepth: {
    name: 'ingest.dead_letter.depth',
    kind: 'gauge',
    unit: '{message}',
    description: 'Dead letters stored, per dead-letter subject.',
    attributes: ['subject'],
  },
  circuitState: {
    name: 'ingest.sink.circuit.state',
    kind: 'gauge',
    unit: '1',
    description: "A sink target's circuit as sink-write last reported it: 0 closed, 1 open.",
    attributes: ['sink'],
  },
  stageLastAnswer: {
    name: 'ingest.bridge.stage.last_answer',
    kind: 'gauge',
    unit: 's',
    description: 'Unix time of the last answer from each stage, by outcome (ok, failed: the invocation itself failed).',
    attributes: ['stage', 'outcome'],
  },
} as const satisfies Record<string, MetricSpec>;

type MetricKey = keyof typeof METRICS;

const UNIT_SUFFIXES: Readonly<Record<string, string>> = { s: 'seconds', By: 'bytes', '1': 'ratio' };

/**
 * The name Prometheus shows: dots to underscores, the unit's suffix (seconds, bytes; none for `{…}`
 * annotations or a state gauge), `_total` for counters. Histograms add `_bucket`, `_sum`, `_count`.
 */
function prometheusName(spec: MetricSpec): string {
  let name = spec.name.replace(/[^a-zA-Z0-9_]/g, '_');
  const suffix = spec.kind === 'gauge' && spec.unit === '1' ? undefined : UNIT_SUFFIXES[spec.unit];
  if (suffix !== undefined && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`;
  if (spec.kind === 'counter') name = `${name}_total`;
  return name;
}

export { METRICS, prometheusName, UNKNOWN_ROUTE };
export type { MetricKey, MetricKind, MetricSpec };
