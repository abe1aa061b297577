import type { JetStreamClient } from '@nats-io/jetstream';
import { type DeadLetter, type OriginalContent, REPLAY_COUNT_HEADER } from '../../deadletters/index.ts';
import { mapToHeaders } from '../../nats/index.ts';

/**
 * Publishes the original bytes to the original subject with the original headers, except the
 * server's own `Nats-*` headers: reusing the producer's Nats-Msg-Id would have the stream drop the
 * replay as a duplicate of the first publish. The new id names the original message and this
 * replay, so a run that crashed and runs again does not publish it twice.
 */
function createRepublisher(js: JetStreamClient, ingestStream: string): (letter: DeadLetter, original: OriginalContent) => Promise<void> {
  return async (letter, original) => {
    const headers: Record<string, readonly string[]> = {};
    for (const [name, values] of Object.entries(original.headers)) {
      if (!name.toLowerCase().startsWith('nats-') && name !== REPLAY_COUNT_HEADER) headers[name] = values;
    }
    headers[REPLAY_COUNT_HEADER] = [String(letter.replayCount + 1)];
    await js.publish(letter.subject, Buffer.from(original.payload, 'base64'), {
      headers: mapToHeaders(headers),
      msgID: `replay:${letter.id}:${letter.replayCount + 1}`,
      expect: { streamName: ingestStream },
    });
  };
}

export { createRepublisher };
