import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CodecError,
  compileSchema,
  createResolvingDecoder,
  encodeAvro,
  FrameError,
  frame,
  SchemaMismatchError,
  unframe,
  WIRE_FORMATS,
  type WireFormat,
} from '../../shared/avro/index.ts';

const body = Buffer.from([0x02, 0x06, 0x66, 0x6f, 0x6f]);
const writer = { schemaId: 300, fingerprint: 0x3df542a2f8e12da9n };

/** A FrameError with the stable reason, stage and no-retry flag, whose message matches `about`. */
function frameError(about: RegExp): (error: unknown) => boolean {
  return (error) =>
    error instanceof FrameError && error.reason === 'invalid_frame' && error.stage === 'validate' && error.retryable === false && about.test(error.message);
}

describe('wire framing', () => {
  test('lists the four formats', () => {
    assert.deepEqual(WIRE_FORMATS, ['raw', 'schema-id', 'confluent', 'single-object']);
  });

  for (const format of WIRE_FORMATS) {
    test(`${format}: frame then unframe returns the body and the writer identity it needs`, () => {
      const payload = frame(format, body, writer);

      const unframed = unframe(format, payload);

      assert.deepEqual(unframed.body, body);
      assert.equal(unframed.schemaId, format === 'schema-id' || format === 'confluent' ? 300 : undefined);
      assert.equal(unframed.fingerprint, format === 'single-object' ? writer.fingerprint : undefined);
    });
  }

  test('headers have the documented bytes', () => {
    const headers = Object.fromEntries(WIRE_FORMATS.map((format) => [format, [...frame(format, body, writer).subarray(0, -body.length)]]));

    assert.deepEqual(headers, {
      raw: [],
      'schema-id': [0x00, 0x00, 0x01, 0x2c],
      confluent: [0x00, 0x00, 0x00, 0x01, 0x2c],
      // Single-object fingerprints are little-endian, unlike the big-endian schema ids.
      'single-object': [0xc3, 0x01, 0xa9, 0x2d, 0xe1, 0xf8, 0xa2, 0x42, 0xf5, 0x3d],
    });
  });

  test('unframe reads a Uint8Array that is a window into a larger buffer', () => {
    const framed = frame('confluent', body, writer);
    const backing = new Uint8Array(framed.length + 6);
    backing.set(framed, 3);
    const window = backing.subarray(3, 3 + framed.length);

    const unframed = unframe('confluent', window);

    assert.equal(unframed.schemaId, 300);
    assert.deepEqual(unframed.body, body);
  });

  const tooShort: ReadonlyArray<readonly [WireFormat, number[]]> = [
    ['schema-id', [0x00, 0x00, 0x01]],
    ['confluent', [0x00, 0x00, 0x00, 0x01]],
    ['single-object', [0xc3, 0x01, 0xa9, 0x2d]],
  ];
  for (const [format, bytes] of tooShort) {
    test(`${format}: a payload shorter than the header is a FrameError`, () => {
      assert.throws(() => unframe(format, Buffer.from(bytes)), frameError(/shorter than/));
    });
  }

  test('confluent: a payload without the 0x00 magic byte is a FrameError', () => {
    const payload = Buffer.from([0x01, 0x00, 0x00, 0x01, 0x2c, ...body]);

    assert.throws(() => unframe('confluent', payload), frameError(/magic/));
  });

  test('single-object: a payload without the C3 01 marker is a FrameError', () => {
    const rawAvro = Buffer.concat([Buffer.alloc(10, 0x02), body]);
    const versionTwo = Buffer.concat([Buffer.from([0xc3, 0x02]), Buffer.alloc(8), body]);

    for (const payload of [rawAvro, versionTwo]) {
      assert.throws(() => unframe('single-object', payload), frameError(/marker/));
    }
  });

  for (const format of WIRE_FORMATS) {
    test(`${format}: a header with no body after it is a FrameError`, () => {
      const headerOnly = frame(format, new Uint8Array(0), writer);

      assert.throws(() => unframe(format, headerOnly), frameError(/no Avro body/));
    });
  }

  test('frame refuses a missing or out-of-range schema id with a plain Error', () => {
    for (const format of ['schema-id', 'confluent'] as const) {
      for (const schemaId of [undefined, -1, 2 ** 32, 1.5]) {
        const reason = schemaId === undefined ? `${format} framing needs a schema id` : `schema id ${schemaId} does not fit in 4 unsigned bytes`;
        assert.throws(
          () => frame(format, body, { schemaId }),
          (error: unknown) => error instanceof Error && !(error instanceof FrameError) && error.message === reason,
          `${format} ${schemaId}`,
        );
      }
    }
  });

  test('frame refuses a missing or out-of-range fingerprint with a plain Error', () => {
    for (const fingerprint of [undefined, -1n, 1n << 64n]) {
      const reason =
        fingerprint === undefined ? 'single-object framing needs a CRC-64-AVRO fingerprint' : `fingerprint ${fingerprint} is not an unsigned 64-bit value`;
      assert.throws(
        () => frame('single-object', body, { fingerprint }),
        (error: unknown) => error instanceof Error && !(error instanceof FrameError) && error.message === reason,
        String(fingerprint),
      );
    }
  });
});

describe('createResolvingDecoder', () => {
  const v1 = compileSchema({
    type: 'record',
    name: 'Metric',
    namespace: 'metrics.v1',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'value', type: 'double' },
    ],
  });
  const v2 = compileSchema({
    type: 'record',
    name: 'Metric',
    namespace: 'metrics.v2',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'value', type: 'double' },
      { name: 'unit', type: ['null', 'string'], default: null },
      { name: 'samples', type: 'int', default: 1 },
    ],
  });

  test('v1 bytes read with the v2 reader get the defaults of the added fields, across namespaces', () => {
    const bytes = encodeAvro(v1, { name: 'cpu', value: 72.5 });
    const decode = createResolvingDecoder(v2, v1);

    const decoded = decode(bytes);

    assert.deepEqual({ ...(decoded as object) }, { name: 'cpu', value: 72.5, unit: null, samples: 1 });
  });

  test('v2 bytes read with the v1 reader skip the fields v1 does not know', () => {
    const bytes = encodeAvro(v2, { name: 'cpu', value: 1, unit: 'percent', samples: 4 });

    const decoded = createResolvingDecoder(v1, v2)(bytes);

    assert.deepEqual({ ...(decoded as object) }, { name: 'cpu', value: 1 });
  });

  test('the same type decodes directly', () => {
    const bytes = encodeAvro(v1, { name: 'cpu', value: 2 });

    const decoded = createResolvingDecoder(v1, v1)(bytes);

    assert.deepEqual({ ...(decoded as object) }, { name: 'cpu', value: 2 });
  });

  test('an incompatible pair is a SchemaMismatchError carrying the reason', () => {
    const strict = compileSchema({
      type: 'record',
      name: 'Metric',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'unit', type: 'string' },
      ],
    });

    assert.throws(
      () => createResolvingDecoder(strict, v1),
      (error: unknown) =>
        error instanceof SchemaMismatchError &&
        error.reason === 'schema_mismatch' &&
        error.stage === 'validate' &&
        error.retryable === false &&
        /no matching field for default-less/.test(error.message),
    );
  });

  test('bytes that do not decode become a CodecError', () => {
    const bytes = encodeAvro(v1, { name: 'cpu', value: 72.5 });
    const decode = createResolvingDecoder(v2, v1);

    for (const bad of [bytes.subarray(0, bytes.length - 1), Buffer.concat([bytes, Buffer.from([0x01])]), Buffer.alloc(0)]) {
      assert.throws(() => decode(bad), CodecError);
    }
  });

  test('timestamp-millis on both sides resolves to a Date', () => {
    const schema = (namespace: string) => ({
      type: 'record',
      name: 'Event',
      namespace,
      fields: [{ name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } }],
    });
    const writerType = compileSchema(schema('a'));
    const readerType = compileSchema(schema('b'));
    const bytes = encodeAvro(writerType, { time: new Date(1735689600000) });

    const decoded = createResolvingDecoder(readerType, writerType)(bytes) as { time: Date };

    assert.ok(decoded.time instanceof Date, `expected a Date, got ${typeof decoded.time}`);
    assert.equal(decoded.time.getTime(), 1735689600000);
  });

  // avsc returns whatever LogicalType._resolve's function returns as the final value, so the
  // logical type must turn a plain long writer into a Date itself.
  test('a writer long read as reader timestamp-millis becomes a Date', () => {
    const writerType = compileSchema({ type: 'record', name: 'Event', fields: [{ name: 'time', type: 'long' }] });
    const readerType = compileSchema({
      type: 'record',
      name: 'Event',
      fields: [{ name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } }],
    });
    const bytes = encodeAvro(writerType, { time: 1735689600000 });

    const decoded = createResolvingDecoder(readerType, writerType)(bytes) as { time: Date };

    assert.ok(decoded.time instanceof Date, `expected a Date, got ${typeof decoded.time}`);
    assert.equal(decoded.time.getTime(), 1735689600000);
  });

  test('a single-object frame round-trips through the resolving decoder', () => {
    const payload = frame('single-object', encodeAvro(v1, { name: 'mem', value: 3 }), { fingerprint: 1n });

    const { body: unframedBody } = unframe('single-object', payload);
    const decoded = createResolvingDecoder(v2, v1)(unframedBody);

    assert.deepEqual({ ...(decoded as object) }, { name: 'mem', value: 3, unit: null, samples: 1 });
  });
});

describe('wire framing at the edges of its ranges', () => {
  test('the smallest and largest schema ids and fingerprints frame and unframe unchanged', () => {
    for (const format of ['schema-id', 'confluent'] as const) {
      for (const schemaId of [0, 0xffffffff]) {
        assert.equal(unframe(format, frame(format, body, { schemaId })).schemaId, schemaId, `${format} ${schemaId}`);
      }
    }
    for (const fingerprint of [0n, (1n << 64n) - 1n]) {
      assert.equal(unframe('single-object', frame('single-object', body, { fingerprint })).fingerprint, fingerprint);
    }
  });

  test('frame refusals say what is missing or out of range', () => {
    assert.throws(() => frame('schema-id', body, {}), /^Error: schema-id framing needs a schema id$/);
    assert.throws(() => frame('confluent', body, {}), /^Error: confluent framing needs a schema id$/);
    assert.throws(() => frame('confluent', body, { schemaId: 2 ** 32 }), /^Error: schema id 4294967296 does not fit in 4 unsigned bytes$/);
    assert.throws(() => frame('single-object', body, {}), /^Error: single-object framing needs a CRC-64-AVRO fingerprint$/);
    assert.throws(() => frame('single-object', body, { fingerprint: -1n }), /^Error: fingerprint -1 is not an unsigned 64-bit value$/);
    assert.throws(() => frame('single-object', body, { fingerprint: 1n << 64n }), /^Error: fingerprint 18446744073709551616 is not an unsigned 64-bit value$/);
    assert.throws(() => frame('schema-id', body, { schemaId: -1 }), /^Error: schema id -1 does not fit in 4 unsigned bytes$/);
    assert.throws(() => frame('schema-id', body, { schemaId: 0.5 }), /^Error: schema id 0.5 does not fit in 4 unsigned bytes$/);
  });

  test('raw framing returns the body bytes themselves, whatever the writer identity', () => {
    const backing = new Uint8Array([9, 9, ...body, 9]);
    const window = backing.subarray(2, 2 + body.length);
    const framed = frame('raw', window, {});
    assert.deepEqual([...framed], [...body]);
    backing[2] = 0x7f; // a view, not a copy
    assert.equal(framed[0], 0x7f);
  });

  test('unframe errors name the format, the sizes and the bytes found', () => {
    const messageOf = (format: WireFormat, bytes: number[]): string => {
      try {
        unframe(format, Buffer.from(bytes));
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    assert.equal(messageOf('schema-id', [0, 1]), 'schema-id payload is 2 bytes, shorter than its 4-byte header');
    assert.equal(messageOf('confluent', [0x01, 0, 0, 1, 0x2c, 2]), 'confluent payload starts with 0x01, expected magic byte 0x00');
    assert.equal(messageOf('single-object', [0xc3, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 2]), 'single-object payload starts with 0xc302, expected marker 0xc301');
    assert.equal(messageOf('single-object', [0x0a, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 2]), 'single-object payload starts with 0x0a01, expected marker 0xc301');
    assert.equal(messageOf('confluent', [0, 0, 0, 1, 0x2c]), 'confluent payload has no Avro body after its header');
    assert.equal(messageOf('raw', []), 'raw payload has no Avro body');
  });

  test('a single-object payload whose second marker byte alone is right is still refused', () => {
    assert.throws(() => unframe('single-object', Buffer.from([0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 2])), frameError(/marker/));
  });
});

describe('createResolvingDecoder messages', () => {
  const writerType = compileSchema({ type: 'record', name: 'Metric', namespace: 'w', fields: [{ name: 'value', type: 'double' }] });
  const readerType = compileSchema({
    type: 'record',
    name: 'Reading',
    namespace: 'r',
    fields: [
      { name: 'value', type: 'double' },
      { name: 'unit', type: 'string' },
    ],
  });

  test('a mismatch names both schemas by their full names', () => {
    assert.throws(
      () => createResolvingDecoder(readerType, writerType),
      (error: unknown) =>
        error instanceof SchemaMismatchError &&
        error.message.startsWith('reader schema r.Reading cannot read data written with w.Metric: ') &&
        error.cause instanceof Error,
    );
  });

  test('an unnamed type is named by its type name', () => {
    assert.throws(
      () => createResolvingDecoder(compileSchema('string'), compileSchema('boolean')),
      (error: unknown) => error instanceof SchemaMismatchError && error.message.startsWith('reader schema string cannot read data written with boolean: '),
    );
  });

  test('an empty body and a body that does not decode say so, with both schema names', () => {
    const plainReader = compileSchema({
      type: 'record',
      name: 'Metric',
      namespace: 'r',
      fields: [
        { name: 'value', type: 'double' },
        { name: 'unit', type: 'string', default: '' },
      ],
    });
    const decode = createResolvingDecoder(plainReader, writerType);
    assert.throws(
      () => decode(Buffer.alloc(0)),
      (error: unknown) => error instanceof CodecError && error.message === 'empty payload',
    );
    assert.throws(
      () => decode(Buffer.from([0x01, 0x02])),
      (error: unknown) =>
        error instanceof CodecError && error.message.startsWith('payload written with w.Metric does not decode as r.Metric: ') && error.cause instanceof Error,
    );
    assert.equal((decode(encodeAvro(writerType, { value: 2.5 })) as { value: number }).value, 2.5);
  });
});
