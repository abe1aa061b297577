import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  binaryHeaders,
  checkAgainstBody,
  checkedAttributes,
  decodeHeaderValue,
  encodeHeaderValue,
  isCloudEventsEnvelope,
  readCloudEvent,
  stageHeadersOf,
  structuredPayload,
} from '../../shared/cloudevents/index.ts';
import { IngestError } from '../../shared/failures/index.ts';

const AVRO = Buffer.from([0x02, 0x61, 0x00, 0xff]);
const BINARY = { 'ce-specversion': '1.0', 'ce-id': 'evt-1', 'ce-source': '/hosts/a', 'ce-type': 'com.example.cpu', 'ce-time': '2026-01-02T03:04:05.678Z' };

/** Asserts that `run` throws a validate-class, non-retryable IngestError with `reason` whose message matches `message`. */
function assertRefused(run: () => unknown, reason: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof IngestError, 'an IngestError');
    assert.deepEqual([error.stage, error.reason, error.retryable], ['validate', reason, false]);
    assert.match(error.message, message);
    return true;
  });
}

function structured(document: unknown): Buffer {
  return Buffer.from(JSON.stringify(document));
}

describe('stage headers', () => {
  test('only ce-* and content-type travel, names in lower case, the first value of each; none at all is undefined', () => {
    const headers = stageHeadersOf([
      ['CE-Id', ['a', 'b']],
      ['ce-source', ['/s']],
      ['Content-Type', ['application/cloudevents+json']],
      ['x-private', ['secret']],
      ['traceparent', ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']],
      ['Nats-Msg-Id', ['evt-1']],
    ]);
    assert.deepEqual(headers, { 'ce-id': 'a', 'ce-source': '/s', 'content-type': 'application/cloudevents+json' });
    assert.equal(stageHeadersOf([['Nats-Msg-Id', ['evt-1']]]), undefined);
    assert.equal(stageHeadersOf(undefined), undefined);
  });
});

describe('header values', () => {
  test('encoding keeps printable ASCII and percent-encodes space, quote, percent and non-ASCII as UTF-8; decoding reverses it', () => {
    const value = 'Euro € 😀 "50%" /a:b';
    const encoded = encodeHeaderValue(value);
    assert.equal(encoded, 'Euro%20%E2%82%AC%20%F0%9F%98%80%20%2250%25%22%20/a:b');
    assert.equal(decodeHeaderValue('ce-subject', encoded), value);
  });

  test('decoding accepts lower-case hex, needless encoding and RFC 7230 double quotes', () => {
    assert.equal(decodeHeaderValue('ce-id', '%e2%82%ac'), '€');
    assert.equal(decodeHeaderValue('ce-id', '%61bc'), 'abc');
    assert.equal(decodeHeaderValue('ce-subject', '"a \\"quoted\\" value"'), 'a "quoted" value');
  });

  test('bad input: a stray percent and bytes that are not UTF-8 (an overlong space) are refused', () => {
    assertRefused(() => decodeHeaderValue('ce-id', '50%'), 'cloudevents_invalid', /header ce-id is not valid percent-encoded UTF-8/);
    assertRefused(() => decodeHeaderValue('ce-id', '%C0%A0'), 'cloudevents_invalid', /header ce-id/);
  });
});

describe('binary content mode', () => {
  test('the ce-* headers are the attributes and the payload is the data, untouched', () => {
    const read = readCloudEvent({ ...BINARY, 'ce-subject': 'host%20a', 'ce-datacontenttype': 'application/avro', 'ce-myext': 'x' }, AVRO);
    assert.ok(read.mode === 'binary');
    assert.deepEqual(read.attributes, {
      specversion: '1.0',
      id: 'evt-1',
      source: '/hosts/a',
      type: 'com.example.cpu',
      time: '2026-01-02T03:04:05.678Z',
      subject: 'host a',
      datacontenttype: 'application/avro',
    });
    assert.equal(read.data, AVRO);
  });

  test('a message without ce-* headers or a CloudEvents Content-Type is no CloudEvent', () => {
    assert.deepEqual(readCloudEvent(undefined, AVRO), { mode: 'none' });
    assert.deepEqual(readCloudEvent({ 'content-type': 'application/avro' }, AVRO), { mode: 'none' });
  });

  test('bad input: every missing required header is named; a wrong specversion, an empty id and a bad time are refused', () => {
    assertRefused(
      () => readCloudEvent({ 'ce-id': 'evt-1' }, AVRO),
      'cloudevents_invalid',
      /ce-specversion is missing; header ce-source is missing; header ce-type is missing/,
    );
    assertRefused(() => readCloudEvent({ ...BINARY, 'ce-specversion': '0.3' }, AVRO), 'cloudevents_invalid', /specversion is "0.3"; only CloudEvents 1.0/);
    assertRefused(() => readCloudEvent({ ...BINARY, 'ce-id': '' }, AVRO), 'cloudevents_invalid', /header ce-id must not be empty/);
    assertRefused(() => readCloudEvent({ ...BINARY, 'ce-time': 'yesterday' }, AVRO), 'cloudevents_invalid', /ce-time "yesterday" is not an RFC 3339 timestamp/);
    assertRefused(() => readCloudEvent({ ...BINARY, 'ce-time': '2026-01-02 03:04:05Z' }, AVRO), 'cloudevents_invalid', /RFC 3339/);
  });
});

describe('structured content mode', () => {
  const event = {
    specversion: '1.0',
    id: 'evt-2',
    source: '/hosts/b',
    type: 'com.example.cpu',
    time: '2026-01-02T03:04:05+01:00',
    data_base64: AVRO.toString('base64'),
  };

  test('the JSON attributes are the attributes and data_base64 is the data; ce-* headers beside it are not read', () => {
    const read = readCloudEvent(
      { 'content-type': 'Application/CloudEvents+JSON; charset=utf-8', 'ce-id': 'other' },
      structured({ ...event, comexampleext: 5, subject: null }),
    );
    assert.ok(read.mode === 'structured');
    assert.deepEqual(read.attributes, { specversion: '1.0', id: 'evt-2', source: '/hosts/b', type: 'com.example.cpu', time: '2026-01-02T03:04:05+01:00' });
    assert.deepEqual(read.data, AVRO);
  });

  test('bad input: malformed JSON, not an object, missing attributes, wrong specversion, data instead of data_base64, bad base64, batch and other formats', () => {
    const json = { 'content-type': 'application/cloudevents+json' };
    assertRefused(() => readCloudEvent(json, Buffer.from('{"specversion": "1.0",')), 'cloudevents_invalid', /not UTF-8 JSON/);
    assertRefused(() => readCloudEvent(json, Buffer.from([0x7b, 0xff, 0x7d])), 'cloudevents_invalid', /not UTF-8 JSON/);
    assertRefused(() => readCloudEvent(json, structured([event])), 'cloudevents_invalid', /must be a JSON object/);
    assertRefused(
      () => readCloudEvent(json, structured({ data_base64: event.data_base64 })),
      'cloudevents_invalid',
      /attribute specversion is missing; attribute id is missing; attribute source is missing; attribute type is missing/,
    );
    assertRefused(() => readCloudEvent(json, structured({ ...event, specversion: '1.1' })), 'cloudevents_invalid', /specversion is "1.1"/);
    assertRefused(() => readCloudEvent(json, structured({ ...event, id: 7 })), 'cloudevents_invalid', /attribute id must be a string/);
    assertRefused(() => readCloudEvent(json, structured({ ...event, data_base64: undefined, data: { a: 1 } })), 'cloudevents_invalid', /carries "data"/);
    assertRefused(() => readCloudEvent(json, structured({ ...event, data_base64: undefined })), 'cloudevents_invalid', /no "data_base64"/);
    assertRefused(() => readCloudEvent(json, structured({ ...event, data_base64: 'not base64!' })), 'cloudevents_invalid', /not base64/);
    assertRefused(() => readCloudEvent({ 'content-type': 'application/cloudevents-batch+json' }, structured([event])), 'cloudevents_invalid', /batch/);
    assertRefused(() => readCloudEvent({ 'content-type': 'application/cloudevents+avro' }, AVRO), 'cloudevents_invalid', /only the JSON event format/);
  });
});

describe('attributes against the Avro body', () => {
  const attributes = checkedAttributes({ specversion: '1.0', id: 'evt-1', source: '/s', type: 't', time: '2026-01-02T03:04:05.678901Z' });

  test('a body without the fields, or with the same values (time to the millisecond), passes', () => {
    checkAgainstBody(attributes, {}, 'binary');
    checkAgainstBody(attributes, { id: 'evt-1', source: '/s', type: 't', time: new Date('2026-01-02T03:04:05.678Z') }, 'binary');
    // A body time the plane does not read as a time (a plain long) is not compared.
    checkAgainstBody(attributes, { time: 5 }, 'binary');
  });

  test('every field that disagrees is named, as a header or an attribute', () => {
    assertRefused(
      () => checkAgainstBody(attributes, { id: 'evt-9', source: '/s', type: 'u', time: new Date('2026-01-02T03:04:05.679Z') }, 'binary'),
      'cloudevents_mismatch',
      /header ce-id is "evt-1", the body's id "evt-9"; header ce-type is "t", the body's type "u"; header ce-time is 2026-01-02T03:04:05.678901Z, the body's time 2026-01-02T03:04:05.679Z/,
    );
    assertRefused(
      () => checkAgainstBody(attributes, { source: '/other' }, 'structured'),
      'cloudevents_mismatch',
      /attribute source is "\/s", the body's source "\/other"/,
    );
  });
});

describe('sending side', () => {
  test('binary headers and the structured payload read back as the same attributes and data', () => {
    const attributes = checkedAttributes({ specversion: '1.0', id: 'evt 3', source: '/s', type: 't', subject: 'ü' });
    const headers = Object.fromEntries(binaryHeaders(attributes));
    assert.deepEqual(headers, { 'ce-specversion': '1.0', 'ce-id': 'evt%203', 'ce-source': '/s', 'ce-type': 't', 'ce-subject': '%C3%BC' });
    const binary = readCloudEvent(headers, AVRO);
    assert.ok(binary.mode === 'binary');
    assert.deepEqual(binary.attributes, attributes);
    const read = readCloudEvent({ 'content-type': 'application/cloudevents+json' }, structuredPayload(attributes, AVRO));
    assert.ok(read.mode === 'structured');
    assert.deepEqual([read.attributes, read.data], [attributes, AVRO]);
  });

  test('bad input: attributes a receiver would refuse are refused before sending', () => {
    assertRefused(() => checkedAttributes({ specversion: '1.0', id: 'x', type: 't' }), 'cloudevents_invalid', /source is missing/);
  });
});

test('the envelope CloudEvents/1.0 is recognised in any case; others are not', () => {
  assert.equal(isCloudEventsEnvelope('CloudEvents/1.0'), true);
  assert.equal(isCloudEventsEnvelope('cloudevents/1.0'), true);
  assert.equal(isCloudEventsEnvelope('CloudEvents/0.3'), false);
  assert.equal(isCloudEventsEnvelope(null), false);
  assert.equal(isCloudEventsEnvelope(undefined), false);
});
