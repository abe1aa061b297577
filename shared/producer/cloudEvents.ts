import { headers as createHeaders, type MsgHdrs } from '@nats-io/nats-core';
import {
  binaryHeaders,
  type CloudEventAttributes,
  type CloudEventsMode,
  checkedAttributes,
  STRUCTURED_CONTENT_TYPE,
  structuredPayload,
} from '../cloudevents/index.ts';
import type { RouteRecord } from '../routes/index.ts';

/** Attributes a caller sets for a CloudEvent; any left out come from the event's own fields (see cloudEventAttributes). */
type CloudEventAttributeInput = {
  readonly id?: string;
  readonly source?: string;
  readonly type?: string;
  /** RFC 3339. */
  readonly time?: string;
  readonly subject?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
};

type CloudEventOptions = { readonly mode: CloudEventsMode; readonly attributes?: CloudEventAttributeInput };

/** A string field of the event, when it has one. */
function stringField(event: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = event[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The CloudEvent's attributes: those given, else the event's own `id`, `source`, `type` and
 * `time` (a Date), else the route's type for `type`. Checked as the plane will check them, so a
 * producer learns of a missing id or source before publishing (throws `cloudevents_invalid`).
 */
function cloudEventAttributes(route: RouteRecord, event: Readonly<Record<string, unknown>>, given: CloudEventAttributeInput = {}): CloudEventAttributes {
  const time = given.time ?? (event.time instanceof Date ? event.time.toISOString() : undefined);
  return checkedAttributes({
    ...given,
    specversion: '1.0',
    id: given.id ?? stringField(event, 'id'),
    source: given.source ?? stringField(event, 'source'),
    type: given.type ?? stringField(event, 'type') ?? route.key.type,
    time,
  });
}

/**
 * The message of a CloudEvent in the NATS binding's content mode: binary puts the attributes in
 * `ce-*` headers and the route's wire-format bytes in the payload; structured puts both in a JSON
 * event (`application/cloudevents+json`, the bytes base64 in `data_base64`).
 */
function cloudEventMessage(attributes: CloudEventAttributes, data: Uint8Array, mode: CloudEventsMode): { payload: Uint8Array; headers: MsgHdrs } {
  const headers = createHeaders();
  if (mode === 'structured') {
    headers.set('Content-Type', STRUCTURED_CONTENT_TYPE);
    return { payload: structuredPayload(attributes, data), headers };
  }
  for (const [name, value] of binaryHeaders(attributes)) headers.set(name, value);
  return { payload: data, headers };
}

export { cloudEventAttributes, cloudEventMessage };
export type { CloudEventAttributeInput, CloudEventOptions };
