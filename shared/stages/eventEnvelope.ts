import { isCloudEventsEnvelope, invalidCloudEvent, isStructured, readCloudEvent, type CloudEventMessage, type StageHeaders } from '../cloudevents/index.ts';
import { formatRouteKey } from '../names/index.ts';
import type { ResolvedRoute } from './resolveRoute.ts';

/** A CloudEvent the binding read: its attributes and how they came (headers or the structured JSON). */
type ReadCloudEvent = Exclude<CloudEventMessage, { mode: 'none' }>;

/** A record's payload opened: the bytes in the route's wire format, and the CloudEvent around them when there is one. */
type OpenedPayload = { readonly data: Buffer; readonly cloudEvent?: ReadCloudEvent };

/**
 * Takes the route's wire-format bytes out of a record. On a route whose message group declares
 * `envelope: CloudEvents/1.0`, the CloudEvents NATS binding is read: a structured event's
 * `data_base64` is the payload, and binary-mode `ce-*` headers are the event's attributes. A
 * message with no headers for the stages (nearly all) costs one base64 decode, as before.
 * Elsewhere `ce-*` headers are not read (the route does not say its events are CloudEvents) and a
 * structured event is refused, since its JSON is no Avro payload. Throws `cloudevents_invalid`.
 */
function openPayload(route: ResolvedRoute<unknown> & { ok: true }, headers: StageHeaders | undefined, payload: string): OpenedPayload {
  const bytes = Buffer.from(payload, 'base64');
  if (headers === undefined) return { data: bytes };
  if (!isCloudEventsEnvelope(route.route.envelope)) {
    if (isStructured(headers)) {
      throw invalidCloudEvent(
        `a structured CloudEvent on route ${formatRouteKey(route.routeKey)}, whose message group does not declare envelope CloudEvents/1.0`,
      );
    }
    return { data: bytes };
  }
  const read = readCloudEvent(headers, bytes);
  return read.mode === 'none' ? { data: bytes } : { data: read.data, cloudEvent: read };
}

export { openPayload };
export type { OpenedPayload, ReadCloudEvent };
