import type { Gauge, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { METRICS, type MetricSpec } from '../shared/telemetry/index.ts';
import { IntervalLatency } from './intervalLatency.ts';
import { Tally } from './tally.ts';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
// Up to BATCH_MAX_RECORDS' ceiling; the default batch is 500.
const BATCH_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

function upDown(meter: Meter, spec: MetricSpec): UpDownCounter {
  return meter.createUpDownCounter(spec.name, { unit: spec.unit, description: spec.description });
}

function histogram(meter: Meter, spec: MetricSpec, buckets: number[]): Histogram {
  return meter.createHistogram(spec.name, { unit: spec.unit, description: spec.description, advice: { explicitBucketBoundaries: buckets } });
}

function gauge(meter: Meter, spec: MetricSpec): Gauge {
  return meter.createGauge(spec.name, { unit: spec.unit, description: spec.description });
}

/**
 * The bridge's instruments (counts per event are tallies, tally.ts; the rest the SDK's own), one per catalog entry (the consumer and dead-letter
 * gauges are observed: observedGauges.ts). Made once per process from the catalog, so a name, unit
 * or description lives in one place; what records into them is in settlement.ts, deadLetter.ts,
 * batchRun.ts, sinkStage.ts, intake.ts and measuredInvoker.ts.
 */
class BridgeInstruments {
  readonly received: Tally;
  readonly committed: Tally;
  readonly duplicates: Tally;
  readonly deadLettered: Tally;
  readonly retried: Tally;
  readonly sinkRecords: Tally;
  readonly held: Tally;
  readonly stageInFlight: UpDownCounter;
  readonly stageDuration: Histogram;
  readonly stageLastAnswer: Gauge;
  readonly batchSize: Histogram;
  readonly publishToCommit: Histogram;
  readonly circuitState: Gauge;
  /** The same latencies as publishToCommit, in milliseconds, per figures interval (figuresPublisher.ts reads and empties it). */
  readonly commitLatency = new IntervalLatency();
  readonly #circuits = new Map<string, 'open' | 'closed'>();

  constructor(meter: Meter) {
    this.received = Tally.observed(meter, METRICS.eventsReceived, 'counter');
    this.committed = Tally.observed(meter, METRICS.eventsCommitted, 'counter');
    this.duplicates = Tally.observed(meter, METRICS.eventsDuplicate, 'counter');
    this.deadLettered = Tally.observed(meter, METRICS.eventsDeadLettered, 'counter');
    this.retried = Tally.observed(meter, METRICS.eventsRetried, 'counter');
    this.sinkRecords = Tally.observed(meter, METRICS.sinkRecords, 'counter');
    this.held = Tally.observed(meter, METRICS.messagesHeld, 'updowncounter');
    this.stageInFlight = upDown(meter, METRICS.stageRecordsInFlight);
    this.stageDuration = histogram(meter, METRICS.stageInvokeDuration, SECONDS_BUCKETS);
    this.stageLastAnswer = gauge(meter, METRICS.stageLastAnswer);
    this.batchSize = histogram(meter, METRICS.batchSize, BATCH_BUCKETS);
    this.publishToCommit = histogram(meter, METRICS.publishToCommit, SECONDS_BUCKETS);
    this.circuitState = gauge(meter, METRICS.circuitState);
  }

  /** A sink target's circuit as sink-write reported it: 1 open, 0 closed. */
  circuit(sink: string, state: 'open' | 'closed'): void {
    this.circuitState.record(state === 'open' ? 1 : 0, { sink });
    this.#circuits.set(sink, state);
  }

  /** Each sink target's circuit as sink-write last reported it (the gauge's last values). */
  circuits(): ReadonlyMap<string, 'open' | 'closed'> {
    return this.#circuits;
  }

  /** The publish → commit latency of one committed event: the histogram, and the figures' interval. */
  committedAfter(ms: number): void {
    this.publishToCommit.record(ms / 1000);
    this.commitLatency.record(ms);
  }
}

export { BridgeInstruments };
