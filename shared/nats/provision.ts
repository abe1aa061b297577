import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { BridgeConfig, NatsConfig, StreamConfig } from '../config/index.ts';

type ConsumerSettings = {
  readonly ackWaitMs: number;
  /** The server's own redelivery cap; the bridge dead-letters earlier, by its retry budget. */
  readonly maxDeliver: number;
  readonly maxAckPending: number;
};

/** The consumer settings that follow from the bridge's configuration. */
function consumerSettingsFor(config: BridgeConfig): ConsumerSettings {
  return {
    ackWaitMs: config.ackWaitMs,
    // The bridge dead-letters at its retry budget; the server's cap is a backstop above it.
    maxDeliver: config.retry.maxDeliver,
    maxAckPending: config.maxAckPending,
  };
}

function isNotFound(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

async function ensureStream(jsm: JetStreamManager, stream: StreamConfig, maxAgeMs: number): Promise<void> {
  const wanted = { subjects: [...stream.subjects], max_age: nanos(maxAgeMs) };
  try {
    const info = await jsm.streams.info(stream.name);
    const same =
      info.config.subjects.length === wanted.subjects.length &&
      info.config.subjects.every((subject, index) => subject === wanted.subjects[index]) &&
      info.config.max_age === wanted.max_age;
    if (!same) await jsm.streams.update(stream.name, { ...info.config, ...wanted });
  } catch (error) {
    if (!isNotFound(error, JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({
      name: stream.name,
      ...wanted,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      // Producers set Nats-Msg-Id to the event id; a repeat inside this window is dropped.
      duplicate_window: nanos(2 * 60_000),
    });
  }
}

/**
 * Where the server announces messages that ran out of deliveries. Advisories are plain core-NATS
 * messages, gone if nobody listens at that moment, so a stream keeps them until a bridge has
 * dead-lettered the message they name.
 */
function advisoryTopology(nats: NatsConfig): { stream: string; subject: string; consumer: string } {
  return {
    stream: `${nats.ingest.name}_ADVISORIES`,
    subject: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${nats.ingest.name}.${nats.consumer}`,
    consumer: `${nats.consumer}_advisories`,
  };
}

/**
 * Creates or updates the ingest stream, the dead-letter stream and the durable pull consumer.
 * Safe to run from every replica at every start.
 */
async function ensureTopology(jsm: JetStreamManager, nats: NatsConfig, consumer: ConsumerSettings): Promise<void> {
  await ensureStream(jsm, nats.ingest, 0);
  await ensureStream(jsm, nats.deadLetter, nats.deadLetter.maxAgeDays * 86_400_000);
  const config = {
    durable_name: nats.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(consumer.ackWaitMs),
    max_deliver: consumer.maxDeliver,
    max_ack_pending: consumer.maxAckPending,
  };
  try {
    await jsm.consumers.info(nats.ingest.name, nats.consumer);
    await jsm.consumers.update(nats.ingest.name, nats.consumer, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (error) {
    if (!isNotFound(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    await jsm.consumers.add(nats.ingest.name, config);
  }
  const advisories = advisoryTopology(nats);
  await ensureStream(jsm, { name: advisories.stream, subjects: [advisories.subject] }, 7 * 86_400_000);
  try {
    await jsm.consumers.info(advisories.stream, advisories.consumer);
  } catch (error) {
    if (!isNotFound(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    await jsm.consumers.add(advisories.stream, {
      durable_name: advisories.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(consumer.ackWaitMs),
    });
  }
}

export { advisoryTopology, consumerSettingsFor, ensureTopology };
export type { ConsumerSettings };
