import { isObject } from '../json/index.ts';
import { type AttributeName, type CloudEventAttributes, checkAttributes } from './attributes.ts';
import { invalidCloudEvent } from './errors.ts';
import { decodeHeaderValue } from './headerValues.ts';

// The CloudEvents NATS protocol binding (v1.0.3), receiving side, for routes whose message group
// declares `envelope: CloudEvents/1.0`. A message is structured when its Content-Type header is
// `application/cloudevents…`; otherwise `ce-*` headers make it binary; a message with neither is a
// plain Avro payload and the body alone speaks for the event, as on any other route.
// Hand-written: the `cloudevents` npm SDK has no NATS binding, and its CloudEvent class would
// bring ajv and a compiled JSON Schema into every validate and sink-write bundle to check four
// attributes (see ../../docs/cloudevents.md).

/**
 * The headers of a message that travel to the stages: `ce-*` and `content-type`, names in lower
 * case (NATS header names are case-insensitive), the first value of each. Everything else stays in
 * the stream and in dead letters.
 */
type StageHeaders = Readonly<Record<string, string>>;

const CE_PREFIX = 'ce-';
const CONTENT_TYPE = 'content-type';
const STRUCTURED = /^\s*application\/cloudevents/i;
const JSON_FORMAT = /^\s*application\/cloudevents\+json\s*(;|$)/i;
const BATCH = /^\s*application\/cloudevents-batch/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether a header travels to the stages (the binding reads it); any case. */
function isStageHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith(CE_PREFIX) || lower === CONTENT_TYPE;
}

/** The stage headers among a message's headers; undefined when it has none (nearly every plain Avro message). */
function stageHeadersOf(headers: Iterable<readonly [string, readonly string[]]> | undefined): StageHeaders | undefined {
  if (headers === undefined) return undefined;
  let out: Record<string, string> | undefined;
  for (const [name, values] of headers) {
    if (!isStageHeader(name) || values[0] === undefined) continue;
    out ??= {};
    const lower = name.toLowerCase();
    out[lower] ??= values[0];
  }
  return out;
}

/** How a message carries its event. `none`: no CloudEvents markers, the payload is the route's wire format. */
type CloudEventMessage =
  | { readonly mode: 'none' }
  | { readonly mode: 'binary' | 'structured'; readonly attributes: CloudEventAttributes; readonly data: Buffer };

/** Whether the message is a structured CloudEvent (its Content-Type is `application/cloudevents…`). */
function isStructured(headers: StageHeaders | undefined): boolean {
  const contentType = headers?.[CONTENT_TYPE];
  return contentType !== undefined && STRUCTURED.test(contentType);
}

/** Whether the message says it is a CloudEvent at all (a structured Content-Type or any `ce-*` header). */
function carriesCloudEvent(headers: StageHeaders | undefined): boolean {
  if (headers === undefined) return false;
  if (isStructured(headers)) return true;
  return Object.keys(headers).some((name) => name.startsWith(CE_PREFIX));
}

function readBinary(headers: StageHeaders, payload: Buffer): CloudEventMessage {
  const read = (name: AttributeName): string | undefined => {
    const raw = headers[`${CE_PREFIX}${name}`];
    return raw === undefined ? undefined : decodeHeaderValue(`${CE_PREFIX}${name}`, raw);
  };
  return { mode: 'binary', attributes: checkAttributes(read, `header ${CE_PREFIX}`), data: payload };
}

function readStructured(contentType: string, payload: Buffer): CloudEventMessage {
  if (BATCH.test(contentType)) throw invalidCloudEvent(`Content-Type ${contentType}: the batch content mode is not part of the NATS binding`);
  if (!JSON_FORMAT.test(contentType)) throw invalidCloudEvent(`Content-Type ${contentType}: only the JSON event format (application/cloudevents+json) is read`);
  let document: unknown;
  try {
    document = JSON.parse(utf8.decode(payload));
  } catch (error) {
    throw invalidCloudEvent(`the structured event is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (!isObject(document)) throw invalidCloudEvent('the structured event must be a JSON object');
  const attributes = checkAttributes((name) => document[name], 'attribute ');
  if (document.data !== undefined && document.data !== null) {
    throw invalidCloudEvent('the structured event carries "data"; an Avro route takes its bytes base64 in "data_base64"');
  }
  const data = document.data_base64;
  if (typeof data !== 'string') throw invalidCloudEvent('the structured event has no "data_base64" string (the Avro payload, base64)');
  if (!BASE64.test(data)) throw invalidCloudEvent('"data_base64" is not base64');
  return { mode: 'structured', attributes, data: Buffer.from(data, 'base64') };
}

/**
 * The event a message carries under the binding: its attributes and the data bytes (the Avro
 * payload in the route's wire format), or `none` when the message has no CloudEvents markers.
 * Throws `cloudevents_invalid` for malformed JSON, a missing required attribute, a specversion
 * other than 1.0, a bad timestamp, badly encoded headers, or data that is not `data_base64`.
 */
function readCloudEvent(headers: StageHeaders | undefined, payload: Buffer): CloudEventMessage {
  if (headers === undefined) return { mode: 'none' };
  if (isStructured(headers)) return readStructured(headers[CONTENT_TYPE]!, payload);
  return carriesCloudEvent(headers) ? readBinary(headers, payload) : { mode: 'none' };
}

export { carriesCloudEvent, isStageHeader, isStructured, readCloudEvent, stageHeadersOf };
export type { CloudEventMessage, StageHeaders };
