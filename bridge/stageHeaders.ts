import type { JsMsg } from '@nats-io/jetstream';
import { type StageHeaders, stageHeadersOf } from '../shared/cloudevents/index.ts';
import { RAW_HEADERS_UNAVAILABLE, rawHeaderBlock } from '../shared/nats/index.ts';

// The headers of a message that travel to the stages (the CloudEvents binding's `ce-*` and
// `content-type`). Nearly every message has headers (`Nats-Msg-Id`), and building nats.js's
// header map costs microseconds a message, so the raw header block is scanned first for a line
// that could be a stage header; only a message with one (a CloudEvent) pays for the map.

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const C = 0x63;
const CE_PREFIX = 'ce-';
const CONTENT_TYPE = 'content-type';

function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

/** Whether the bytes at `start` spell `text` (ASCII, any case). */
function startsWith(block: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start < text.length) return false;
  for (let i = 0; i < text.length; i++) if (lower(block[start + i] as number) !== text.charCodeAt(i)) return false;
  return true;
}

/** Whether the line names `content-type` (then optional blanks and a colon). */
function isContentType(block: Uint8Array, start: number, end: number): boolean {
  if (!startsWith(block, start, end, CONTENT_TYPE)) return false;
  let at = start + CONTENT_TYPE.length;
  while (at < end && (block[at] === SPACE || block[at] === TAB)) at++;
  return block[at] === COLON;
}

/** Whether a raw header block (status line first) has a `ce-*` or `content-type` header. */
function hasStageHeader(block: Uint8Array): boolean {
  let start = block.indexOf(LF) + 1;
  while (start > 0 && start < block.length) {
    let end = block.indexOf(LF, start);
    if (end < 0) end = block.length;
    // Both names start with 'c': any other line is passed over after one byte.
    if (lower(block[start] as number) === C) {
      const lineEnd = end > start && block[end - 1] === CR ? end - 1 : end;
      if (startsWith(block, start, lineEnd, CE_PREFIX) || isContentType(block, start, lineEnd)) return true;
    }
    start = end + 1;
  }
  return false;
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
