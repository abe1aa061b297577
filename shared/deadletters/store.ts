import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { decodeDeadLetter } from './envelope.ts';
import { MissingOriginalError, type OriginalStore } from './originals.ts';
import type { DeadLetter, OriginalContent, StoredLetter, StoredOriginal } from './types.ts';
import type { DeadLetterWriter } from './writer.ts';

/** The dead-letter stream, as dlq-replay and `ingest dlq` use it. */
type DeadLetterStore = {
  /**
   * Visits dead letters oldest first, as they stream in, until `visit` answers false. Messages that
   * are not dead letters are skipped; letters stored after the scan began wait for the next one.
   */
  scan(visit: (stored: StoredLetter) => Promise<boolean>): Promise<void>;
  /** Dead letters oldest first, up to `limit` of them. */
  list(limit: number): Promise<StoredLetter[]>;
  /** The letter with this stable id (`<stream>:<sequence>` of the original), if there is one. */
  find(id: string): Promise<StoredLetter | undefined>;
  /** The original headers and payload, read from the object store when the letter carries a reference. */
  original(letter: DeadLetter): Promise<OriginalContent>;
  /**
   * Writes an updated letter and removes the old one. The letter keeps its id; an original kept in
   * the object store is written again, so it lives as long as the rewritten letter.
   */
  replace(stored: StoredLetter, letter: DeadLetter): Promise<void>;
  /** Deletes a letter, and its original from the object store when it has one there. */
  remove(stored: StoredLetter): Promise<void>;
};

type DeadLetterStoreDeps = {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly originals: OriginalStore;
  readonly writer: DeadLetterWriter;
};

function createDeadLetterStore(deps: DeadLetterStoreDeps): DeadLetterStore {
  const { js, jsm, stream, originals, writer } = deps;

  const scan: DeadLetterStore['scan'] = async (visit) => {
    const info = await jsm.streams.info(stream);
    if (info.state.messages === 0) return;
    // One ordered (ephemeral) consumer streams the letters: thousands per round trip instead of
    // one request per sequence, and only the consumer's buffer is held while `visit` works.
    const last = info.state.last_seq;
    const consumer = await js.consumers.get(stream, { opt_start_seq: info.state.first_seq });
    const messages = await consumer.consume({ max_messages: 512 });
    try {
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
    } finally {
      await messages.close();
    }
  };

  const original = async (letter: DeadLetter): Promise<OriginalContent> => {
    if (letter.payload !== undefined) return { headers: letter.headers, payload: letter.payload };
    if (letter.stored === undefined) throw new Error(`dead letter ${letter.id} has neither a payload nor a stored original`);
    return originals.get(letter.stored);
  };

  /** A rewritten letter is a new message, whose age starts again: its original's must too. */
  const refreshed = async (id: string, ref: StoredOriginal): Promise<StoredOriginal> => {
    try {
      return await originals.put(id, await originals.get(ref));
    } catch (error) {
      // Already gone: the letter keeps its reference, and says so whenever the original is asked for.
      if (error instanceof MissingOriginalError) return ref;
      throw error;
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
    async find(id) {
      let found: StoredLetter | undefined;
      await scan(async (stored) => {
        if (stored.letter.id === id) found = stored;
        return found === undefined;
      });
      return found;
    },
    original,
    async replace(stored, letter) {
      const updated = letter.stored === undefined ? letter : { ...letter, stored: await refreshed(letter.id, letter.stored) };
      // The message id names the letter and this rewrite, so a retried replace is dropped.
      await writer.publish(stored.subject, updated, { msgId: `${letter.id}:r${letter.replayCount}` });
      await jsm.streams.deleteMessage(stream, stored.seq, false);
    },
    async remove(stored) {
      // The letter goes first: an original without its letter only waits for its expiry, while a
      // letter without its original could no longer be replayed.
      await jsm.streams.deleteMessage(stream, stored.seq, false);
      if (stored.letter.stored !== undefined) await originals.delete(stored.letter.stored);
    },
  };
}

export { createDeadLetterStore };
export type { DeadLetterStore, DeadLetterStoreDeps };
