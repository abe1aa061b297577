import type { ConsumerInfo } from '@nats-io/jetstream';
import type { Meter } from '@opentelemetry/api';
import type { Logger } from '../shared/logging/index.ts';
import { METRICS, type MetricSpec } from '../shared/telemetry/index.ts';
import type { CachedProbe } from './cachedProbe.ts';

type ObservedGaugeDeps = {
  readonly meter: Meter;
  readonly stream: string;
  readonly consumerName: string;
  /** jsm.consumers.info of the bridge's consumer, cached (readiness asks the same). */
  readonly consumer: CachedProbe<ConsumerInfo>;
  /** Dead letters per dead-letter subject (the stream's state.subjects), cached. */
  readonly deadLetterSubjects: CachedProbe<Readonly<Record<string, number>>>;
  readonly logger: Logger;
};

function observableGauge(meter: Meter, spec: MetricSpec) {
  return meter.createObservableGauge(spec.name, { unit: spec.unit, description: spec.description });
}

/**
 * The gauges read from the server at collection time: the consumer's pending, ack-pending and
 * redelivered counts, and the dead letters per subject. Each probe is cached (cachedProbe.ts), so
 * a scrape every second still asks NATS a few times a minute; a probe that fails is logged and
 * its gauges report nothing for that collection (no zero that would read as "no backlog").
 */
function observeServerGauges(deps: ObservedGaugeDeps): void {
  const { meter, logger } = deps;
  const pending = observableGauge(meter, METRICS.consumerPending);
  const ackPending = observableGauge(meter, METRICS.consumerAckPending);
  const redelivered = observableGauge(meter, METRICS.consumerRedelivered);
  const consumerAttributes = { stream: deps.stream, consumer: deps.consumerName };
  meter.addBatchObservableCallback(
    async (result) => {
      try {
        const info = await deps.consumer.get();
        result.observe(pending, info.num_pending, consumerAttributes);
        result.observe(ackPending, info.num_ack_pending, consumerAttributes);
        result.observe(redelivered, info.num_redelivered, consumerAttributes);
      } catch (error) {
        logger.warn('consumer metrics unavailable', { stream: deps.stream, consumer: deps.consumerName, error });
      }
    },
    [pending, ackPending, redelivered],
  );
  const depth = observableGauge(meter, METRICS.deadLetterDepth);
  depth.addCallback(async (result) => {
    try {
      // Subjects are the routes' dead-letter subjects (and the default one): as many as routes.
      for (const [subject, count] of Object.entries(await deps.deadLetterSubjects.get())) result.observe(count, { subject });
    } catch (error) {
      logger.warn('dead-letter depth unavailable', { error });
    }
  });
}

export { observeServerGauges };
