import { METRICS } from './metricCatalog.ts';

/**
 * What the functions publish to CloudWatch as Embedded Metric Format (Powertools Metrics), and
 * what the CloudWatch alarms (`infra/aws/alarms.yml`) read: one table, so an alarm cannot name a
 * metric the functions do not emit (a unit test holds the template to it).
 *
 * Every document has the dimensions `service` (the function's `OTEL_SERVICE_NAME`, by default its
 * Lambda name `ingest-<stage>-<function>`, so stages never mix) and `function` (`validate`, ...).
 * The failure counts are published a second time with a `reason` dimension: a reason code from
 * `shared/failures` (or an HTTP status for the registry API), a fixed set. No route keys, event ids
 * or subjects are dimensions.
 *
 * CloudWatch's own names (PascalCase, a CloudWatch unit), not OpenTelemetry's: these land in
 * CloudWatch only, where alarms and dashboards spell them.
 */

/** Units of CloudWatch (the ones these metrics use). */
type CloudWatchUnit = 'Count' | 'Milliseconds';

type FunctionMetricSpec = {
  readonly name: string;
  readonly unit: CloudWatchUnit;
  readonly description: string;
  /** Which functions emit it: the three stage functions, the registry API, or dlq-replay. */
  readonly emittedBy: 'stage' | 'registry-api' | 'dlq-replay' | 'every';
  /** Also published once per reason, with the extra `reason` dimension. */
  readonly byReason?: true;
};

/** The CloudWatch namespace of the functions' metrics and of the bridge's lag metric below. */
const FUNCTION_METRICS_NAMESPACE = 'IngestPlane';

/** The dimensions of every function metric, in this order; `reason` is added for the by-reason copy. */
const FUNCTION_METRIC_DIMENSIONS = ['service', 'function'] as const;
const REASON_DIMENSION = 'reason';

const FUNCTION_METRICS = {
  duration: {
    name: 'Duration',
    unit: 'Milliseconds',
    description: 'Time inside the handler for one invocation (middlewares included), as the function measured it.',
    emittedBy: 'every',
  },
  recordsIn: {
    name: 'RecordsIn',
    unit: 'Count',
    description: 'Records in the request (validate and sink-write: messages; route: distinct subjects).',
    emittedBy: 'stage',
  },
  recordsOk: {
    name: 'RecordsOk',
    unit: 'Count',
    description: 'Records answered ok (sink-write: committed or duplicate; a delivery check that got its answer).',
    emittedBy: 'stage',
  },
  recordsFailed: {
    name: 'RecordsFailed',
    unit: 'Count',
    description: 'Records answered with a failure, retryable or not; also by failure reason.',
    emittedBy: 'stage',
    byReason: true,
  },
  recordsRejected: {
    name: 'RecordsRejected',
    unit: 'Count',
    description: 'Records answered with a failure that is not retryable: the bridge dead-letters them at once.',
    emittedBy: 'stage',
  },
  requests: {
    name: 'Requests',
    unit: 'Count',
    description: 'Registry API requests answered.',
    emittedBy: 'registry-api',
  },
  requestsFailed: {
    name: 'RequestsFailed',
    unit: 'Count',
    description: 'Registry API requests answered with a problem document (status 400 and up); also by status.',
    emittedBy: 'registry-api',
    byReason: true,
  },
  lettersExamined: {
    name: 'LettersExamined',
    unit: 'Count',
    description: 'Dead letters a dlq-replay run looked at.',
    emittedBy: 'dlq-replay',
  },
  lettersReplayed: {
    name: 'LettersReplayed',
    unit: 'Count',
    description: 'Dead letters republished (or, in a dry run, that would be).',
    emittedBy: 'dlq-replay',
  },
  lettersParked: {
    name: 'LettersParked',
    unit: 'Count',
    description: 'Dead letters parked for good by this run (replayed too often, still failing).',
    emittedBy: 'dlq-replay',
  },
} as const satisfies Record<string, FunctionMetricSpec>;

type FunctionMetricKey = keyof typeof FUNCTION_METRICS;

/**
 * The consumer lag the bridge is expected to publish to CloudWatch for the lag alarm: the
 * catalog's `ingest.consumer.pending` gauge (its `stream` and `consumer` attributes as dimensions),
 * under this namespace and name. The bridge exports it through OpenTelemetry; on AWS an OTLP
 * collector (ADOT's `awsemf` exporter) writes it as EMF with this name. A contract, not code here.
 */
const BRIDGE_LAG_METRIC = {
  namespace: FUNCTION_METRICS_NAMESPACE,
  name: 'ConsumerPending',
  unit: 'Count',
  dimensions: ['stream', 'consumer'],
  source: METRICS.consumerPending.name,
} as const;

export { BRIDGE_LAG_METRIC, FUNCTION_METRIC_DIMENSIONS, FUNCTION_METRICS, FUNCTION_METRICS_NAMESPACE, REASON_DIMENSION };
export type { CloudWatchUnit, FunctionMetricKey, FunctionMetricSpec };
