import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { buildDeadLetter, type DeadLetter, type DeadLetterWriter } from '../../shared/deadletters/index.ts';
import type { RecordFailure } from '../../shared/failures/index.ts';
import type { RouteKey } from '../../shared/names/index.ts';
import { headersToMap, mapToHeaders } from '../../shared/nats/index.ts';

/** Where real letters are written: the ingest stream the originals go to, and the writer and subject of their letters. */
type LetterPlace = {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ingestStream: string;
  readonly writer: DeadLetterWriter;
  /** The dead-letter subject for an original's subject (its route's, or the default one). */
  readonly deadLetterSubjectOf: (subject: string) => string;
};

type RealOriginal = { readonly subject: string; readonly data: Uint8Array; readonly msgId: string; readonly headers?: Record<string, string[]> };

type RealFailure = {
  readonly failure: RecordFailure;
  readonly routeKey: RouteKey | null;
  readonly eventId: string | null;
  readonly deliveries: number;
  /** The letter's first and last failure times, from the time the server stored the original. */
  readonly times: (publishedAt: Date) => { readonly firstFailedAt: Date; readonly now: Date };
};

/**
 * A dead letter as the bridge writes one: the original is published to the ingest stream, read
 * back by sequence (so its headers and time are the server's), and dead-lettered with the real
 * writer on its dead-letter subject.
 */
async function writeRealLetter(place: LetterPlace, original: RealOriginal, failed: RealFailure): Promise<DeadLetter> {
  const ack = await place.js.publish(original.subject, original.data, { msgID: original.msgId, headers: mapToHeaders(original.headers ?? {}) });
  const stored = (await place.jsm.streams.getMessage(place.ingestStream, { seq: ack.seq }))!;
  const letter = buildDeadLetter(
    {
      subject: original.subject,
      headers: headersToMap(stored.header),
      data: stored.data,
      stream: place.ingestStream,
      seq: ack.seq,
      time: stored.time,
      deliveries: failed.deliveries,
    },
    failed.failure,
    { routeKey: failed.routeKey, eventId: failed.eventId, ...failed.times(stored.time) },
  );
  await place.writer.publish(place.deadLetterSubjectOf(original.subject), letter);
  return letter;
}

export { writeRealLetter };
export type { LetterPlace, RealFailure, RealOriginal };
