import type { JsMsg } from '@nats-io/jetstream';
import { type StageHeaders, stageHeadersOf } from '../shared/cloudevents/index.ts';
import { hasHeader, RAW_HEADERS_UNAVAILABLE, rawHeaderBlock } from '../shared/nats/index.ts';

// The headers of a message that travel to the stages (the CloudEvents binding's `ce-*` and
// `content-type`). Nearly every message has headers (`Nats-Msg-Id`), and building nats.js's
// header map costs microseconds a message, so the raw header block is scanned first for a line
// that could be a stage header; only a message with one (a CloudEvent) pays for the map.

/** What makes a header one the stages read (the binding's `ce-*` and `content-type`). */
const STAGE_HEADERS = { prefixes: ['ce-'], names: ['content-type'] } as const;

/** Whether a raw header block (status line first) has a `ce-*` or `content-type` header. */
function hasStageHeader(block: Uint8Array): boolean {
  return hasHeader(block, STAGE_HEADERS);
}

/** A message's stage headers; undefined when it has none, found without building the header map of a message that has none. */
function stageHeadersOfMessage(msg: JsMsg): StageHeaders | undefined {
  const block = rawHeaderBlock(msg);
  if (block === undefined) return undefined;
  if (block !== RAW_HEADERS_UNAVAILABLE && !hasStageHeader(block)) return undefined;
  return stageHeadersOf(msg.headers);
}

/** What a record's stage headers add to an invoke request: names, values and JSON framing. */
function stageHeaderBytes(headers: StageHeaders | undefined): number {
  if (headers === undefined) return 0;
  let bytes = 16;
  for (const name in headers) bytes += name.length + headers[name]!.length + 6;
  return bytes;
}

/**
 * At most what a message's stage headers add to an invoke request, without scanning them: the
 * size of its whole header block (the stage headers are a part of it) plus JSON framing. An
 * estimate for batching, taken for every message as it arrives.
 */
function headerRequestBytes(msg: JsMsg): number {
  const block = rawHeaderBlock(msg);
  if (block === undefined) return 0;
  if (block === RAW_HEADERS_UNAVAILABLE) return stageHeaderBytes(stageHeadersOfMessage(msg));
  return block.length + 64;
}

export { hasStageHeader, headerRequestBytes, stageHeaderBytes, stageHeadersOfMessage };
