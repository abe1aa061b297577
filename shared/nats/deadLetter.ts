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
  readonly failedAt: string;
  readonly routeKey: string | null;
  readonly eventId: string | null;
};

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

export { decodeDeadLetter, encodeDeadLetter, publishDeadLetter };
export type { DeadLetter };
