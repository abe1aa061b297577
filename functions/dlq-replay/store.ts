import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { type DeadLetter, decodeDeadLetter, encodeDeadLetter } from '../../shared/nats/index.ts';

/** A dead letter and where it sits in the dead-letter stream. */
type StoredLetter = { readonly seq: number; readonly subject: string; readonly letter: DeadLetter };

/** The dead-letter stream, as dlq-replay and `ingest dlq` use it. */
type DeadLetterStore = {
  /**
   * Visits dead letters oldest first, as they stream in, until `visit` answers false. Messages that
   * are not dead letters are skipped; letters stored after the scan began wait for the next one.
   */
  scan(visit: (stored: StoredLetter) => Promise<boolean>): Promise<void>;
  /** Dead letters oldest first, up to `limit` of them. */
  list(limit: number): Promise<StoredLetter[]>;
  /** Writes an updated letter and removes the old one. */
  replace(stored: StoredLetter, letter: DeadLetter): Promise<void>;
  remove(stored: StoredLetter): Promise<void>;
};

function createDeadLetterStore(js: JetStreamClient, jsm: JetStreamManager, stream: string): DeadLetterStore {
  const scan: DeadLetterStore['scan'] = async (visit) => {
    const info = await jsm.streams.info(stream);
    if (info.state.messages === 0) return;
    // One ordered (ephemeral) consumer streams the letters: thousands per round trip instead of
    // one request per sequence, and only the consumer's buffer is held while `visit` works.
    const last = info.state.last_seq;
    const consumer = await js.consumers.get(stream, { opt_start_seq: info.state.first_seq });
    const messages = await consumer.consume({ max_messages: 512 });
    for await (const msg of messages) {
      if (msg.seq > last) break;
      let letter: DeadLetter | undefined;
      try {
        letter = decodeDeadLetter(msg.data);
      } catch {
        // Not a dead letter (published by hand): leave it alone.
      }
      if (letter !== undefined && !(await visit({ seq: msg.seq, subject: msg.subject, letter }))) break;
      if (msg.seq === last || msg.info.pending === 0) break;
    }
  };

  return {
    scan,
    async list(limit) {
      const out: StoredLetter[] = [];
      if (limit <= 0) return out;
      await scan(async (stored) => {
        out.push(stored);
        return out.length < limit;
      });
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
