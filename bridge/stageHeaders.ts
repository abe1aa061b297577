import type { JsMsg } from '@nats-io/jetstream';
import { type StageHeaders, stageHeadersOf } from '../shared/cloudevents/index.ts';

// The headers of a message that travel to the stages (the CloudEvents binding's `ce-*` and
// `content-type`). Kept apart from the trace-header reading in tracedBatch.ts; both read the
// same parsed headers, which nats.js parses once per message and keeps.

/** A message's stage headers; undefined when it has none, and without any parse for a message with no headers at all. */
function stageHeadersOfMessage(msg: JsMsg): StageHeaders | undefined {
  return stageHeadersOf(msg.headers);
}

/** What a record's stage headers add to an invoke request: names, values and JSON framing. */
function stageHeaderBytes(headers: StageHeaders | undefined): number {
  if (headers === undefined) return 0;
  let bytes = 16;
  for (const name in headers) bytes += name.length + headers[name]!.length + 6;
  return bytes;
}

export { stageHeaderBytes, stageHeadersOfMessage };
