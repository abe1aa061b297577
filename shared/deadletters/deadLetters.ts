import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { ServerInfo } from '@nats-io/nats-core';
import type { NatsConfig } from '../config/index.ts';
import { createOriginalStore, type OriginalStore } from './originals.ts';
import { createDeadLetterStore, type DeadLetterStore } from './store.ts';
import { createDeadLetterWriter, type DeadLetterWriter } from './writer.ts';

/** nats-server's default max_payload, for the moment before the connection's first INFO. */
const NATS_DEFAULT_MAX_PAYLOAD = 1_048_576;

type DeadLetters = { readonly writer: DeadLetterWriter; readonly store: DeadLetterStore; readonly originals: OriginalStore };

/**
 * The dead-letter stream and its object store bucket as one: the writer the bridge stores letters
 * with, and the store dlq-replay and `ingest dlq` read, rewrite and delete them through.
 * `serverInfo` is the connection's latest INFO (`nc.info`), where the server's max_payload is.
 */
function openDeadLetters(deps: {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly deadLetter: NatsConfig['deadLetter'];
  readonly serverInfo: () => ServerInfo | undefined;
}): DeadLetters {
  const { js, jsm, deadLetter } = deps;
  const originals = createOriginalStore(js, deadLetter.payloadBucket);
  const writer = createDeadLetterWriter({
    js,
    stream: deadLetter.name,
    originals,
    maxPayload: () => deps.serverInfo()?.max_payload ?? NATS_DEFAULT_MAX_PAYLOAD,
  });
  const store = createDeadLetterStore({ js, jsm, stream: deadLetter.name, originals, writer });
  return { writer, store, originals };
}

export { openDeadLetters };
export type { DeadLetters };
