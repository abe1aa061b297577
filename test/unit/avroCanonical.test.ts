import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import avro from 'avsc';
import {
  crc64Avro,
  fingerprintFromHex,
  fingerprintToHex,
  parsingCanonicalForm,
  schemaFingerprint,
  schemaSha256,
  SchemaDefinitionError,
  unframe,
} from '../../shared/avro/index.ts';
import { qualifyName } from '../../shared/avro/canonical.ts';

type SchemaTest = { readonly id: string; readonly input: string; readonly canonical: string; readonly fingerprint: string | null };
type Fixture = {
  readonly schemaTests: readonly SchemaTest[];
  readonly singleObject: { readonly schema: unknown; readonly messageHex: string; readonly message: unknown };
};

const fixture = JSON.parse(readFileSync(new URL('../fixtures/avro-schema-tests.json', import.meta.url), 'utf8')) as Fixture;

// Cases without a published fingerprint share their canonical form with one that has it.
const publishedByCanonical = new Map(
  fixture.schemaTests.flatMap((vector) => (vector.fingerprint === null ? [] : [[vector.canonical, BigInt(vector.fingerprint)] as const])),
);

describe('Avro Parsing Canonical Form and CRC-64-AVRO (schema-tests.txt)', () => {
  test('the fixture holds every case of the upstream file (000-033)', () => {
    assert.equal(fixture.schemaTests.length, 34);
    assert.deepEqual(
      fixture.schemaTests.map((vector) => vector.id),
      Array.from({ length: 34 }, (_, index) => String(index).padStart(3, '0')),
    );
  });

  for (const vector of fixture.schemaTests) {
    test(`case ${vector.id}: canonical form and signed fingerprint match`, () => {
      const schema: unknown = JSON.parse(vector.input);
      const expected = publishedByCanonical.get(vector.canonical);

      const canonical = parsingCanonicalForm(schema);
      const fingerprint = schemaFingerprint(schema);

      assert.equal(canonical, vector.canonical);
      assert.ok(expected !== undefined, `no published fingerprint for ${vector.canonical}`);
      assert.equal(BigInt.asIntN(64, fingerprint), expected);
      assert.ok(fingerprint >= 0n && fingerprint < 1n << 64n, 'fingerprints are unsigned 64-bit values');
    });
  }
});

describe('Parsing Canonical Form rules beyond the upstream vectors', () => {
  test('nested named types inherit the enclosing namespace and later references use the full name', () => {
    const schema = {
      type: 'record',
      name: 'Outer',
      namespace: 'a.b',
      doc: 'dropped',
      fields: [
        { name: 'inner', type: { type: 'enum', name: 'Kind', symbols: ['X'], default: 'X' } },
        { name: 'again', type: 'Kind', default: 'X' },
        { name: 'elsewhere', type: { type: 'fixed', name: 'Id', namespace: 'c', size: '016' } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'self', type: ['null', 'Outer'] },
      ],
    };

    const canonical = parsingCanonicalForm(schema);

    assert.equal(
      canonical,
      '{"name":"a.b.Outer","type":"record","fields":[' +
        '{"name":"inner","type":{"name":"a.b.Kind","type":"enum","symbols":["X"]}},' +
        '{"name":"again","type":"a.b.Kind"},' +
        '{"name":"elsewhere","type":{"name":"c.Id","type":"fixed","size":16}},' +
        '{"name":"at","type":"long"},' +
        '{"name":"self","type":["null","a.b.Outer"]}]}',
    );
  });

  test('escaped non-ASCII in the schema text becomes literal UTF-8', () => {
    const schema: unknown = JSON.parse('{"type":"enum","name":"caf\\u00e9","symbols":["A"]}');

    const canonical = parsingCanonicalForm(schema);

    assert.equal(canonical, '{"name":"café","type":"enum","symbols":["A"]}');
  });

  test('avsc agrees on the canonical form of the single-object test schema', () => {
    const type = avro.Type.forSchema(fixture.singleObject.schema as avro.Schema);

    assert.equal(parsingCanonicalForm(fixture.singleObject.schema), JSON.stringify(type.schema()));
  });
});

describe('Parsing Canonical Form: names, references and refusals', () => {
  test('a dotted name ignores its namespace attribute; an empty namespace is the null namespace', () => {
    assert.equal(parsingCanonicalForm({ type: 'fixed', name: 'x.Id', namespace: 'ignored', size: 4 }), '{"name":"x.Id","type":"fixed","size":4}');
    assert.equal(
      parsingCanonicalForm({ type: 'record', name: 'R', namespace: 'a', fields: [{ name: 'f', type: { type: 'fixed', name: 'F', namespace: '', size: 1 } }] }),
      '{"name":"a.R","type":"record","fields":[{"name":"f","type":{"name":"F","type":"fixed","size":1}}]}',
    );
  });

  test('a short reference prefers the enclosing namespace and falls back to the null namespace', () => {
    const schema = {
      type: 'record',
      name: 'Top',
      fields: [
        { name: 'id', type: { type: 'fixed', name: 'Id', size: 2 } },
        {
          name: 'inner',
          type: {
            type: 'record',
            name: 'Inner',
            namespace: 'n',
            fields: [
              { name: 'ref', type: 'Id' },
              { name: 'dotted', type: 'other.Thing' },
            ],
          },
        },
      ],
    };
    assert.equal(
      parsingCanonicalForm(schema),
      '{"name":"Top","type":"record","fields":[{"name":"id","type":{"name":"Id","type":"fixed","size":2}},' +
        '{"name":"inner","type":{"name":"n.Inner","type":"record","fields":[{"name":"ref","type":"Id"},{"name":"dotted","type":"other.Thing"}]}}]}',
    );
    assert.equal(
      parsingCanonicalForm({ type: 'array', items: 'Unknown' }),
      '{"type":"array","items":"Unknown"}',
      'an unknown short name stays short in the null namespace',
    );
  });

  test('a short reference to a name defined both in the enclosing and in the null namespace means the enclosing one', () => {
    const schema = {
      type: 'record',
      name: 'Top',
      fields: [
        { name: 'plain', type: { type: 'fixed', name: 'Id', size: 1 } },
        {
          name: 'inner',
          type: {
            type: 'record',
            name: 'Inner',
            namespace: 'n',
            fields: [
              { name: 'own', type: { type: 'fixed', name: 'Id', size: 2 } },
              { name: 'ref', type: 'Id' },
            ],
          },
        },
      ],
    };
    assert.match(parsingCanonicalForm(schema), /\{"name":"ref","type":"n\.Id"\}/);
    assert.equal(qualifyName('Id', undefined), 'Id');
    assert.equal(qualifyName('Id', ''), 'Id');
    assert.equal(qualifyName('Id', 'n'), 'n.Id');
    assert.equal(qualifyName('m.Id', 'n'), 'm.Id');
  });

  test('a second definition of a name is written as a reference; error is a record; maps and wrapped types', () => {
    const twice = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: { type: 'enum', name: 'E', symbols: ['A'] } },
        { name: 'b', type: { type: 'enum', name: 'E', symbols: ['B'] } },
      ],
    };
    assert.equal(
      parsingCanonicalForm(twice),
      '{"name":"R","type":"record","fields":[{"name":"a","type":{"name":"E","type":"enum","symbols":["A"]}},{"name":"b","type":"E"}]}',
    );
    assert.equal(parsingCanonicalForm({ type: 'error', name: 'Oops', fields: [] }), '{"name":"Oops","type":"record","fields":[]}');
    assert.equal(parsingCanonicalForm({ type: 'map', values: { type: 'int', logicalType: 'date' } }), '{"type":"map","values":"int"}');
    assert.equal(parsingCanonicalForm({ type: { type: 'string' } }), '"string"');
    assert.equal(parsingCanonicalForm({ type: 'R2' }), '"R2"', 'a type attribute naming a type is a reference');
    assert.equal(parsingCanonicalForm(['null', { type: 'array', items: 'long' }]), '["null",{"type":"array","items":"long"}]');
  });

  test('fixed sizes: quoted or zero-padded digits become a bare integer; anything else is refused', () => {
    assert.equal(parsingCanonicalForm({ type: 'fixed', name: 'F', size: 0 }), '{"name":"F","type":"fixed","size":0}');
    assert.equal(parsingCanonicalForm({ type: 'fixed', name: 'F', size: '007' }), '{"name":"F","type":"fixed","size":7}');
    for (const size of [-1, 1.5, '1.5', '-1', ' 7', '7x', '', null, undefined, 2 ** 53]) {
      assert.throws(
        () => parsingCanonicalForm({ type: 'fixed', name: 'F', size }),
        (error: unknown) =>
          error instanceof SchemaDefinitionError && error.message === `fixed size must be a non-negative integer, got ${JSON.stringify(size)}`,
        String(size),
      );
    }
  });

  test('broken definitions are refused with what is wrong', () => {
    const refused = (schema: unknown, message: string): void => {
      assert.throws(
        () => parsingCanonicalForm(schema),
        (error: unknown) => error instanceof SchemaDefinitionError && error.message === message,
        message,
      );
    };
    refused({ type: 'record', fields: [] }, 'record name must be a non-empty string');
    refused({ type: 'enum', name: '', symbols: [] }, 'enum name must be a non-empty string');
    refused({ type: 'enum', name: 'E', symbols: 'A' }, 'enum E symbols must be an array');
    refused({ type: 'enum', name: 'E', symbols: ['A', 1] }, 'enum symbol must be a non-empty string');
    refused({ type: 'record', name: 'R' }, 'record R fields must be an array');
    refused({ type: 'record', name: 'R', fields: ['f'] }, 'record R has a field that is not an object');
    refused({ type: 'record', name: 'R', fields: [{ type: 'int' }] }, 'field name in R must be a non-empty string');
    refused(42, 'not an Avro schema: 42');
    refused(null, 'not an Avro schema: null');
  });
});

describe('fingerprint helpers', () => {
  test('the CRC of no bytes is the EMPTY constant', () => {
    assert.equal(crc64Avro(new Uint8Array(0)), 0xc15d213aa4d7a795n);
  });

  test('hex form is 16 lower-case digits, big-endian, and round-trips', () => {
    const fingerprint = schemaFingerprint(fixture.singleObject.schema);

    const hex = fingerprintToHex(fingerprint);

    assert.equal(hex, '3df542a2f8e12da9');
    assert.equal(fingerprintFromHex(hex), fingerprint);
    assert.equal(fingerprintToHex(1n), '0000000000000001');
    assert.equal(fingerprintToHex(-1n), 'ffffffffffffffff', 'a signed Java long maps to its unsigned bits');
  });

  test('hex conversion rejects values and text that are not 64 bits', () => {
    assert.throws(() => fingerprintToHex(1n << 64n), RangeError);
    assert.throws(() => fingerprintFromHex('abc'), RangeError);
    assert.throws(() => fingerprintFromHex('zz00000000000000'), RangeError);
  });

  test('hex conversion accepts exactly the 64-bit range, signed or unsigned', () => {
    assert.equal(fingerprintToHex(-(1n << 63n)), '8000000000000000', 'the most negative Java long');
    assert.throws(() => fingerprintToHex(-(1n << 63n) - 1n), /^RangeError: fingerprint -9223372036854775809 does not fit in 64 bits$/);
    assert.equal(fingerprintToHex((1n << 64n) - 1n), 'ffffffffffffffff');
    assert.equal(fingerprintToHex(0n), '0000000000000000');
  });

  test('hex text must be exactly 16 hex digits, either case, nothing around them', () => {
    assert.equal(fingerprintFromHex('3DF542A2F8E12DA9'), 0x3df542a2f8e12da9n);
    assert.equal(fingerprintFromHex('ffffffffffffffff'), (1n << 64n) - 1n);
    for (const text of [
      '3df542a2f8e12da',
      '3df542a2f8e12da90',
      ' 3df542a2f8e12da9',
      '3df542a2f8e12da9 ',
      'x3df542a2f8e12da9',
      '3df542a2f8e12da9x',
      '3df542a2f8e12dg9',
    ]) {
      assert.throws(
        () => fingerprintFromHex(text),
        (error: unknown) => error instanceof RangeError && error.message === `fingerprint must be 16 hex digits, got ${JSON.stringify(text)}`,
        text,
      );
    }
  });

  test('CRC-64-AVRO of single bytes and of a longer text', () => {
    // Each value below is computed bit by bit with the spec's reference loop, independent of the table.
    const reference = (bytes: Uint8Array): bigint => {
      let fp = 0xc15d213aa4d7a795n;
      for (const byte of bytes) {
        fp ^= BigInt(byte);
        for (let bit = 0; bit < 8; bit++) fp = (fp >> 1n) ^ (0xc15d213aa4d7a795n & -(fp & 1n));
      }
      return BigInt.asUintN(64, fp);
    };
    for (const byte of [0x00, 0x01, 0x80, 0xff]) {
      assert.equal(crc64Avro(new Uint8Array([byte])), reference(new Uint8Array([byte])), `byte ${byte}`);
    }
    const text = Buffer.from('{"type":"record","name":"a","fields":[{"name":"é","type":"long"}]}', 'utf8');
    assert.equal(crc64Avro(text), reference(text));
  });

  test('SHA-256 is taken over the canonical form, so docs and aliases do not change it', () => {
    const plain = { type: 'record', name: 'foo', fields: [] };
    const annotated = { ...plain, doc: 'Useful info', aliases: ['bar'] };

    const digest = schemaSha256(annotated);

    assert.equal(digest, schemaSha256(plain));
    assert.match(digest, /^[0-9a-f]{64}$/);
  });
});

describe('single-object encoding vector (messageV1)', () => {
  test('unframing yields the fingerprint of the test schema and a body avsc decodes to the test message', () => {
    const bytes = Buffer.from(fixture.singleObject.messageHex, 'hex');
    const type = avro.Type.forSchema(fixture.singleObject.schema as avro.Schema);

    const frame = unframe('single-object', bytes);

    assert.deepEqual([...bytes.subarray(0, 10)], [0xc3, 0x01, 0xa9, 0x2d, 0xe1, 0xf8, 0xa2, 0x42, 0xf5, 0x3d]);
    assert.equal(frame.fingerprint, schemaFingerprint(fixture.singleObject.schema));
    const decoded = type.fromBuffer(frame.body) as { id: number; name: string; tags: string[] };
    assert.equal(decoded.id, 42);
    assert.equal(decoded.name, 'Bill');
    assert.deepEqual({ ...decoded, tags: [...decoded.tags] }, fixture.singleObject.message);
  });
});
