import type { JetStreamClient } from '@nats-io/jetstream';
import { encodeDeadLetter } from './envelope.ts';
import type { OriginalStore } from './originals.ts';
import type { DeadLetter } from './types.ts';

/** How a letter was stored: with its original inline, or with the original in the object store. */
type WrittenLetter = { readonly id: string; readonly bytes: number; readonly originalStoredApart: boolean };

type DeadLetterWriter = {
  /**
   * Stores a letter in the dead-letter stream and resolves once the stream has it. A letter that
   * would not fit in one message has its original (headers and payload) put in the object store
   * first, and carries a reference instead. Deduplicated by the letter's id (or `msgId`, for a
   * letter dlq-replay rewrites), so a crash between this and the original's term cannot leave two
   * letters.
   */
  publish(subject: string, letter: DeadLetter, options?: { readonly msgId?: string }): Promise<WrittenLetter>;
};

type DeadLetterWriterDeps = {
  readonly js: JetStreamClient;
  readonly stream: string;
  readonly originals: OriginalStore;
  /** The server's max_payload, read from its INFO at the time of the write (it can change across reconnects). */
  readonly maxPayload: () => number;
};

class DeadLetterTooLargeError extends Error {
  constructor(id: string, bytes: number, limit: number) {
    super(`dead letter ${id} is ${bytes} bytes even without its original, above the server's limit of ${limit}`);
    this.name = 'DeadLetterTooLargeError';
  }
}

// Room for the headers a letter is published with (NATS/1.0, Nats-Msg-Id, Nats-Expected-Stream),
// which count against max_payload together with the body.
const HEADER_ALLOWANCE = 512;
// Free text in a letter can be as large as the event (a failure message quoting a response body,
// an event id taken from the payload). The letter that points at its original keeps a bounded
// copy of each, so that it fits whatever the event held; the full text is in the original.
const STUB_MESSAGE_LIMIT = 4096;
const STUB_FIELD_LIMIT = 1024;

function bounded(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** The letter without its original, which `stored` points to; bounded whatever the event held. */
function letterWithoutOriginal(letter: DeadLetter, stored: NonNullable<DeadLetter['stored']>): DeadLetter {
  const { payload: _payload, ...rest } = letter;
  return {
    ...rest,
    headers: {},
    stored,
    message: bounded(letter.message, STUB_MESSAGE_LIMIT),
    eventId: letter.eventId === null ? null : bounded(letter.eventId, STUB_FIELD_LIMIT),
    ...(letter.sinks === undefined
      ? {}
      : { sinks: letter.sinks.map((sink) => (sink.delivered ? sink : { ...sink, message: bounded(sink.message, STUB_FIELD_LIMIT) })) }),
  };
}

function createDeadLetterWriter(deps: DeadLetterWriterDeps): DeadLetterWriter {
  const { js, stream, originals } = deps;
  const limitFor = (letter: DeadLetter): number => deps.maxPayload() - HEADER_ALLOWANCE - letter.id.length - stream.length;
  return {
    async publish(subject, letter, options) {
      const limit = limitFor(letter);
      let body = encodeDeadLetter(letter);
      let originalStoredApart = false;
      if (body.length > limit && letter.payload !== undefined) {
        const stored = await originals.put(letter.id, { headers: letter.headers, payload: letter.payload });
        body = encodeDeadLetter(letterWithoutOriginal(letter, stored));
        originalStoredApart = true;
      }
      if (body.length > limit) throw new DeadLetterTooLargeError(letter.id, body.length, limit);
      await js.publish(subject, body, { msgID: options?.msgId ?? letter.id, expect: { streamName: stream } });
      return { id: letter.id, bytes: body.length, originalStoredApart };
    },
  };
}

export { createDeadLetterWriter, DeadLetterTooLargeError, letterWithoutOriginal };
export type { DeadLetterWriter, DeadLetterWriterDeps, WrittenLetter };
