import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConfig } from '../config/index.ts';
import { createOriginalStore, type OriginalStore } from './originals.ts';
import { createDeadLetterStore, type DeadLetterStore } from './store.ts';
import { createDeadLetterWriter, type DeadLetterWriter } from './writer.ts';

type DeadLetters = { readonly writer: DeadLetterWriter; readonly store: DeadLetterStore; readonly originals: OriginalStore };

/**
 * The dead-letter stream and its object store bucket as one: the writer the bridge stores letters
 * with, and the store dlq-replay and `ingest dlq` read, rewrite and delete them through.
 * `maxPayload` reads the server's max_payload from the connection's INFO.
 */
function openDeadLetters(deps: {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly deadLetter: NatsConfig['deadLetter'];
  readonly maxPayload: () => number;
}): DeadLetters {
  const { js, jsm, deadLetter } = deps;
  const originals = createOriginalStore(js, deadLetter.payloadBucket);
  const writer = createDeadLetterWriter({ js, stream: deadLetter.name, originals, maxPayload: deps.maxPayload });
  const store = createDeadLetterStore({ js, jsm, stream: deadLetter.name, originals, writer });
  return { writer, store, originals };
}

export { openDeadLetters };
export type { DeadLetters };
