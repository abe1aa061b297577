import { ATTRIBUTE_NAMES, type CloudEventAttributes, checkAttributes } from './attributes.ts';
import { encodeHeaderValue } from './headerValues.ts';

// The sending side of the binding, for the plane's own producer and `ingest publish`.

const CLOUDEVENTS_MODES = ['binary', 'structured'] as const;
type CloudEventsMode = (typeof CLOUDEVENTS_MODES)[number];

const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';

/** Attributes checked as a receiver would check them; throws `cloudevents_invalid` naming every problem. */
function checkedAttributes(attributes: { readonly [name: string]: unknown }): CloudEventAttributes {
  return checkAttributes((name) => attributes[name], '');
}

/** The binary content mode's headers: one `ce-<name>` per attribute present, values percent-encoded. */
function binaryHeaders(attributes: CloudEventAttributes): [string, string][] {
  const headers: [string, string][] = [];
  for (const name of ATTRIBUTE_NAMES) {
    const value = attributes[name];
    if (value !== undefined) headers.push([`ce-${name}`, encodeHeaderValue(value)]);
  }
  return headers;
}

/** The structured content mode's payload: the JSON event format, the data (the Avro payload) base64 in `data_base64`. */
function structuredPayload(attributes: CloudEventAttributes, data: Uint8Array): Buffer {
  const document: Record<string, string> = {};
  for (const name of ATTRIBUTE_NAMES) {
    const value = attributes[name];
    if (value !== undefined) document[name] = value;
  }
  document.data_base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  return Buffer.from(JSON.stringify(document), 'utf8');
}

export { binaryHeaders, CLOUDEVENTS_MODES, checkedAttributes, STRUCTURED_CONTENT_TYPE, structuredPayload };
export type { CloudEventsMode };
