import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EXAMPLE_REGISTRY } from '../../cli/paths.ts';
import { CodecError, compileSchema, decodeAvro, encodeAvro, SchemaDefinitionError, toJsonValue } from '../../shared/avro/index.ts';

const document = JSON.parse(readFileSync(EXAMPLE_REGISTRY, 'utf8')) as {
  schemagroups: { metrics: { schemas: { 'cpu-usage': { versions: { '1': { schema: unknown } } } } } };
};
const type = compileSchema(document.schemagroups.metrics.schemas['cpu-usage'].versions['1'].schema);
const event = {
  id: 'evt-123',
  type: 'metrics.cpu.usage',
  version: 'v1',
  source: 'collector-a',
  time: new Date(1735689600000),
  data: { name: 'cpu_usage', value: 72.5, unit: 'percent', tags: { host: 'node-1' } },
};

describe('Avro codec', () => {
  test('round-trips the seed event and decodes timestamp-millis as a Date', () => {
    const decoded = decodeAvro(type, encodeAvro(type, event)) as typeof event;
    assert.ok(decoded.time instanceof Date);
    assert.equal(decoded.time.getTime(), 1735689600000);
    assert.deepEqual({ ...decoded.data, tags: { ...decoded.data.tags } }, event.data);
  });

  test('an optional union field may be null', () => {
    const decoded = decodeAvro(type, encodeAvro(type, { ...event, data: { ...event.data, unit: null } })) as typeof event;
    assert.equal(decoded.data.unit, null);
  });

  test('rejects truncated bytes, trailing bytes, random bytes and an empty payload', () => {
    const bytes = encodeAvro(type, event);
    for (const bad of [bytes.subarray(0, bytes.length - 1), Buffer.concat([bytes, Buffer.from([1, 2])]), Buffer.alloc(0)]) {
      assert.throws(
        () => decodeAvro(type, bad),
        (error: unknown) => error instanceof CodecError && error.reason === 'avro_decode_failed',
      );
    }
    // Random bytes nearly always fail; a short fixed pattern that is not a valid string length must.
    assert.throws(() => decodeAvro(type, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])), CodecError);
  });

  test('encoding a value that breaks the schema names the field', () => {
    assert.throws(() => encodeAvro(type, { ...event, data: { ...event.data, value: 'high' } }), /data\.value/);
  });

  test('an invalid schema is a SchemaDefinitionError', () => {
    assert.throws(() => compileSchema({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] }), SchemaDefinitionError);
  });

  test('toJsonValue turns dates into ISO strings and bytes into base64', () => {
    assert.deepEqual(toJsonValue({ at: new Date(0), raw: Buffer.from('hi'), list: [1, null], nested: { n: Number.NaN } }), {
      at: '1970-01-01T00:00:00.000Z',
      raw: 'aGk=',
      list: [1, null],
      nested: { n: 'NaN' },
    });
  });
});
