import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { Objm } from '@nats-io/obj';
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
 * The object store bucket for originals too large for their dead letter, kept exactly as long as
 * the dead letters (the bucket's max_age follows DEADLETTER_MAX_AGE_DAYS, also when it changes).
 */
async function ensurePayloadBucket(jsm: JetStreamManager, bucket: string, maxAgeMs: number): Promise<void> {
  const stream = `OBJ_${bucket}`;
  try {
    const info = await jsm.streams.info(stream);
    if (info.config.max_age !== nanos(maxAgeMs)) await jsm.streams.update(stream, { ...info.config, max_age: nanos(maxAgeMs) });
  } catch (error) {
    if (!isNotFound(error, JetStreamApiCodes.StreamNotFound)) throw error;
    await new Objm(jsm.jetstream()).create(bucket, {
      ttl: nanos(maxAgeMs),
      storage: StorageType.File,
      description: 'originals of dead letters too large to carry them',
    });
  }
}

/**
 * Where the server announces messages that ran out of deliveries. Advisories are plain core-NATS
 * messages, gone if nobody listens at that moment, so a stream keeps them until a bridge has
 * dead-lettered the message they name.
 *
 * Where max-deliveries advisories are kept: one stream per ingest stream, capturing the advisories
 * of every consumer on it (bridge deployments with their own consumers share it); each deployment
 * reads it through its own durable consumer and handles only its consumer's advisories.
 */
function advisoryTopology(nats: NatsConfig): { stream: string; subject: string; consumer: string } {
  return {
    stream: `${nats.ingest.name}_ADVISORIES`,
    subject: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${nats.ingest.name}.*`,
    consumer: `${nats.consumer}_advisories`,
  };
}

/**
 * Creates or updates the ingest stream, the dead-letter stream and its object store bucket, and the
 * durable pull consumer.
 * Safe to run from every replica at every start.
 */
async function ensureTopology(jsm: JetStreamManager, nats: NatsConfig, consumer: ConsumerSettings): Promise<void> {
  await ensureStream(jsm, nats.ingest, 0);
  await ensureStream(jsm, nats.deadLetter, nats.deadLetter.maxAgeDays * 86_400_000);
  await ensurePayloadBucket(jsm, nats.deadLetter.payloadBucket, nats.deadLetter.maxAgeDays * 86_400_000);
  const config = {
    durable_name: nats.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(consumer.ackWaitMs),
    max_deliver: consumer.maxDeliver,
    max_ack_pending: consumer.maxAckPending,
    ...(nats.consumerFilter === undefined ? {} : { filter_subject: nats.consumerFilter }),
  };
  try {
    const info = await jsm.consumers.info(nats.ingest.name, nats.consumer);
    // nats-server 2.9 cannot change a consumer's filter; say so rather than consume the wrong subjects.
    const existingFilter = info.config.filter_subject === undefined || info.config.filter_subject === '' ? undefined : info.config.filter_subject;
    if (existingFilter !== nats.consumerFilter) {
      throw new Error(
        `consumer ${nats.consumer} on ${nats.ingest.name} takes ${existingFilter ?? 'every subject'}, not ${nats.consumerFilter ?? 'every subject'} ` +
          '(INGEST_CONSUMER_FILTER); use another INGEST_CONSUMER, or delete the consumer once it has no pending messages',
      );
    }
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
