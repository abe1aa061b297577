import type { JsMsg } from '@nats-io/jetstream';

// Reading one header of a JetStream message without building its header map.
//
// nats.js parses a message's header block into a map of arrays the first time `msg.headers` is
// read: about 1.5 µs a message on this project's bench machine, against a budget of about 2 µs a
// message for all of tracing. The bridge needs a single header (`traceparent`) from every message
// when tracing is on, so it scans the block's bytes for that one name instead. nats.js has no
// public accessor for the raw block; the fields read here (`msg._msg.hdr`, `msg._rdata`) are
// declared in its type definitions and checked at run time, and when they are missing (another
// nats.js version) `rawHeaderBlock` says so and callers fall back to `msg.headers`.

/** The message's header block could not be reached: read `msg.headers` instead. */
const RAW_HEADERS_UNAVAILABLE: unique symbol = Symbol('raw headers unavailable');

type RawCoreMessage = { readonly _msg: { readonly hdr: number }; readonly _rdata: Uint8Array };

function isRawCoreMessage(value: unknown): value is RawCoreMessage {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { _msg?: { hdr?: unknown }; _rdata?: unknown };
  return typeof candidate._msg?.hdr === 'number' && candidate._rdata instanceof Uint8Array;
}

/**
 * The bytes of `msg`'s header block (`NATS/1.0…\r\n\r\n`), `undefined` when it has no headers,
 * or RAW_HEADERS_UNAVAILABLE when this nats.js version keeps them elsewhere.
 */
function rawHeaderBlock(msg: JsMsg): Uint8Array | undefined | typeof RAW_HEADERS_UNAVAILABLE {
  const core: unknown = (msg as { msg?: unknown }).msg;
  if (!isRawCoreMessage(core)) return RAW_HEADERS_UNAVAILABLE;
  const end = core._msg.hdr;
  return end < 0 ? undefined : core._rdata.subarray(0, end);
}

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;

/** ASCII lower case of one byte (header names are ASCII tokens). */
function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

/** Where the value starts when the line starting at `start` is `name:` (name compared without regard to case); -1 when it is another header. */
function lineNames(block: Uint8Array, start: number, end: number, name: string): number {
  if (end - start <= name.length || !startsWithIgnoringCase(block, start, end, name)) return -1;
  let at = start + name.length;
  while (at < end && (block[at] === SPACE || block[at] === TAB)) at++;
  return block[at] === COLON ? at + 1 : -1;
}

/** Whether the bytes at `start` spell `prefix` (given in lower case), compared without regard to case. */
function startsWithIgnoringCase(block: Uint8Array, start: number, end: number, prefix: string): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (lower(block[start + i] as number) !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Calls `visit` with each header line of a raw block as a [start, end) byte range without its CRLF
 * (the status line is skipped) until it returns true; whether one did. A visitor rather than a
 * generator: this runs for every message, and a generator allocates for every line.
 */
function someHeaderLine(block: Uint8Array, visit: (start: number, end: number) => boolean): boolean {
  let start = block.indexOf(LF) + 1;
  while (start > 0 && start < block.length) {
    let end = block.indexOf(LF, start);
    if (end < 0) end = block.length;
    if (visit(start, end > start && block[end - 1] === CR ? end - 1 : end)) return true;
    start = end + 1;
  }
  return false;
}

/**
 * Whether a raw header block has a header whose name starts with one of `prefixes` or is one of
 * `names` (all given in lower case; names compared without regard to case): lets a caller build
 * nats.js's header map only for the messages that carry a header it wants.
 */
function hasHeader(block: Uint8Array, wanted: { readonly prefixes?: readonly string[]; readonly names?: readonly string[] }): boolean {
  const { prefixes = [], names = [] } = wanted;
  return someHeaderLine(block, (start, end) => {
    for (const prefix of prefixes) if (startsWithIgnoringCase(block, start, end, prefix)) return true;
    for (const name of names) if (lineNames(block, start, end, name) >= 0) return true;
    return false;
  });
}

/**
 * The first value of header `name` (given in lower case) in a raw header block, trimmed as
 * nats.js trims it; undefined when the block has no such header or its value is empty. The first
 * line is the `NATS/1.0` status line and is skipped. The value is read as Latin-1: meant for
 * headers whose values are ASCII by their own specification (W3C `traceparent`, `tracestate`).
 */
function findHeaderValue(block: Uint8Array, name: string): string | undefined {
  let value: string | undefined;
  someHeaderLine(block, (start, end) => {
    let from = lineNames(block, start, end, name);
    if (from < 0) return false;
    let to = end;
    while (from < to && (block[from] === SPACE || block[from] === TAB)) from++;
    while (to > from && (block[to - 1] === SPACE || block[to - 1] === TAB)) to--;
    if (to > from) value = Buffer.from(block.buffer, block.byteOffset + from, to - from).toString('latin1');
    return true;
  });
  return value;
}

export { findHeaderValue, hasHeader, RAW_HEADERS_UNAVAILABLE, rawHeaderBlock };
