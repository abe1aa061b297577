import type { JetStreamClient } from '@nats-io/jetstream';
import type { RecordFailure } from '../failures/index.ts';
import type { HeaderMap } from './headers.ts';

/**
 * Everything needed to understand and re-drive a failed event: the original subject, headers and
 * payload bytes exactly as published, where it sat in the stream, and why and when it failed.
 */
type DeadLetter = {
  readonly version: 1;
  readonly subject: string;
  readonly headers: HeaderMap;
  /** The original payload, base64. */
  readonly payload: string;
  readonly stream: string;
  readonly streamSequence: number;
  readonly publishedAt: string;
  readonly stage: RecordFailure['stage'];
  readonly reason: RecordFailure['reason'];
  readonly message: string;
  /** Deliveries the event had, this one included. */
  readonly attempts: number;
  /**
   * When this bridge replica first saw the event fail. Best effort: a redelivery that reaches
   * another replica, or a restarted one, starts counting again from there.
   */
  readonly firstFailedAt: string;
  readonly failedAt: string;
  /** How often dlq-replay has re-driven the event; carried in the `Ingest-Replay-Count` header. */
  readonly replayCount: number;
  /** True once dlq-replay gave up on it: kept with its history, never replayed again. */
  readonly parked?: boolean;
  readonly routeKey: string | null;
  readonly eventId: string | null;
  /** Fan-out routes: each sink's outcome, so it is plain which sinks already have the event. */
  readonly sinks?: RecordFailure['sinks'];
};

/** Header dlq-replay sets on a re-driven message, so a repeat failure keeps counting. */
const REPLAY_COUNT_HEADER = 'Ingest-Replay-Count';

/** The original message as the bridge held it (a delivery, or a stored message fetched by sequence). */
type OriginalMessage = {
  readonly subject: string;
  readonly headers: HeaderMap;
  readonly data: Uint8Array;
  readonly stream: string;
  readonly seq: number;
  readonly time: Date;
  readonly deliveries: number;
};

function buildDeadLetter(
  original: OriginalMessage,
  failure: RecordFailure,
  context: { routeKey: string | null; eventId: string | null; firstFailedAt?: Date; now?: Date },
): DeadLetter {
  const now = context.now ?? new Date();
  const replayed = Number(original.headers[REPLAY_COUNT_HEADER]?.[0] ?? 0);
  return {
    version: 1,
    subject: original.subject,
    headers: original.headers,
    payload: Buffer.from(original.data).toString('base64'),
    stream: original.stream,
    streamSequence: original.seq,
    publishedAt: original.time.toISOString(),
    stage: failure.stage,
    reason: failure.reason,
    message: failure.message,
    attempts: original.deliveries,
    firstFailedAt: (context.firstFailedAt ?? now).toISOString(),
    failedAt: now.toISOString(),
    replayCount: Number.isInteger(replayed) && replayed >= 0 ? replayed : 0,
    routeKey: context.routeKey,
    eventId: context.eventId,
    ...(failure.sinks === undefined ? {} : { sinks: failure.sinks }),
  };
}

function encodeDeadLetter(letter: DeadLetter): Uint8Array {
  return Buffer.from(JSON.stringify(letter));
}

function decodeDeadLetter(data: Uint8Array): DeadLetter {
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as DeadLetter;
  if (parsed.version !== 1 || typeof parsed.subject !== 'string' || typeof parsed.payload !== 'string') {
    throw new Error('not a dead letter (version 1)');
  }
  return parsed;
}

/**
 * Publishes a dead letter and waits for the stream to store it. The message id is the original
 * stream sequence, so a crash between this publish and the ack of the original cannot leave two
 * dead letters: the repeat publish is dropped by the stream's duplicate window.
 */
async function publishDeadLetter(js: JetStreamClient, subject: string, deadLetterStream: string, letter: DeadLetter): Promise<void> {
  await js.publish(subject, encodeDeadLetter(letter), {
    msgID: `${letter.stream}:${letter.streamSequence}`,
    expect: { streamName: deadLetterStream },
  });
}

export { buildDeadLetter, decodeDeadLetter, encodeDeadLetter, publishDeadLetter, REPLAY_COUNT_HEADER };
export type { OriginalMessage };
export type { DeadLetter };
