import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { type DeadLetter, decodeDeadLetter, encodeDeadLetter } from '../../shared/nats/index.ts';

/** A dead letter and where it sits in the dead-letter stream. */
type StoredLetter = { readonly seq: number; readonly subject: string; readonly letter: DeadLetter };

/** The dead-letter stream, as dlq-replay and `ingest dlq` use it. */
type DeadLetterStore = {
  /** Dead letters oldest first, up to `limit` of them. Messages that are not dead letters are skipped. */
  list(limit: number): Promise<StoredLetter[]>;
  /** Writes an updated letter and removes the old one. */
  replace(stored: StoredLetter, letter: DeadLetter): Promise<void>;
  remove(stored: StoredLetter): Promise<void>;
};

function createDeadLetterStore(js: JetStreamClient, jsm: JetStreamManager, stream: string): DeadLetterStore {
  return {
    async list(limit) {
      const info = await jsm.streams.info(stream);
      const out: StoredLetter[] = [];
      if (info.state.messages === 0 || limit <= 0) return out;
      // One ordered (ephemeral) consumer streams the letters: thousands per round trip instead of
      // one request per sequence. Letters stored after this snapshot are left for the next run.
      const last = info.state.last_seq;
      const consumer = await js.consumers.get(stream, { opt_start_seq: info.state.first_seq });
      const messages = await consumer.consume({ max_messages: 512 });
      for await (const msg of messages) {
        if (msg.seq > last) break;
        try {
          out.push({ seq: msg.seq, subject: msg.subject, letter: decodeDeadLetter(msg.data) });
        } catch {
          // Not a dead letter (published by hand): leave it alone.
        }
        if (out.length >= limit || msg.seq === last || msg.info.pending === 0) break;
      }
      return out;
    },
    async replace(stored, letter) {
      // The id names the original message and this replay, so a retried replace is dropped.
      await js.publish(stored.subject, encodeDeadLetter(letter), {
        msgID: `${letter.stream}:${letter.streamSequence}:r${letter.replayCount}`,
        expect: { streamName: stream },
      });
      await jsm.streams.deleteMessage(stream, stored.seq, false);
    },
    async remove(stored) {
      await jsm.streams.deleteMessage(stream, stored.seq, false);
    },
  };
}

export { createDeadLetterStore };
export type { DeadLetterStore, StoredLetter };
