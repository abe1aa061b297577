import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type CanonicalVariant, canonicalForms, compileSchema, decodeAvro, unframe, variantFingerprints } from '../../shared/avro/index.ts';

type Identity = { readonly name?: string; readonly canonical: string; readonly fingerprint: string };
type Encoded = { readonly values: Record<string, unknown>; readonly raw: string; readonly singleObject: string };
type Written = {
  readonly implementation: string;
  readonly packages: Record<string, string>;
  readonly probes: readonly Identity[];
  readonly versions: Record<'v1' | 'v2', Identity & { readonly events: readonly Encoded[] }>;
};
type Input = { readonly schemas: Record<'v1' | 'v2', unknown>; readonly probes: readonly { name: string; schema: unknown }[] };

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/interop/${name}`, import.meta.url), 'utf8')) as T;
const input = read<Input>('input.json');
// Each fixture file was written by the named implementation (test/fixtures/interop/generate.sh);
// the variant is the one the registry indexes for it.
const WRITERS: readonly [string, CanonicalVariant][] = [
  ['java.json', 'spec'],
  ['python.json', 'python'],
  ['goavro.json', 'goavro'],
];

describe('canonical-form variants equal what real implementations write', () => {
  for (const [file, variant] of WRITERS) {
    const written = read<Written>(file);

    test(`${written.implementation} (${Object.entries(written.packages)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}): every probe's form and fingerprint is variant "${variant}"`, () => {
      assert.equal(written.probes.length, input.probes.length);
      for (const [index, probe] of input.probes.entries()) {
        const expected = written.probes[index]!;
        assert.equal(expected.name, probe.name);
        assert.equal(canonicalForms(probe.schema)[variant], expected.canonical, probe.name);
        assert.equal(variantFingerprints(probe.schema)[variant], expected.fingerprint, probe.name);
      }
    });

    test(`${written.implementation}: the example schema's v1 and v2 fingerprints and single-object frames name variant "${variant}"`, () => {
      for (const version of ['v1', 'v2'] as const) {
        const fingerprint = variantFingerprints(input.schemas[version])[variant];
        assert.equal(fingerprint, written.versions[version].fingerprint);
        for (const event of written.versions[version].events) {
          const frame = unframe('single-object', Buffer.from(event.singleObject, 'base64'));
          assert.equal(frame.fingerprint!.toString(16).padStart(16, '0'), fingerprint);
          // Same values; not always the same bytes: goavro writes a map's entries in Go's random order.
          const type = compileSchema(input.schemas[version]);
          assert.deepEqual(decodeAvro(type, frame.body), decodeAvro(type, Buffer.from(event.raw, 'base64')), 'the frame wraps an equal body');
        }
      }
    });

    test(`${written.implementation}: raw bodies decode to the values it was given`, () => {
      for (const version of ['v1', 'v2'] as const) {
        const type = compileSchema(input.schemas[version]);
        for (const event of written.versions[version].events) {
          const decoded = decodeAvro(type, Buffer.from(event.raw, 'base64')) as Record<string, unknown>;
          // A JSON round trip turns avsc's record classes into plain objects.
          assert.deepEqual(JSON.parse(JSON.stringify({ ...decoded, time: (decoded.time as Date).getTime() })), event.values);
        }
      }
    });
  }

  test('the implementations disagree on the example schema: Java and avsc one fingerprint, Python and goavro another', () => {
    const fingerprints = variantFingerprints(input.schemas.v1);
    assert.notEqual(fingerprints.spec, fingerprints.python);
    assert.equal(fingerprints.python, fingerprints.goavro);
  });
});

describe('variants read from the Rust and C# sources (no toolchain for them here)', () => {
  const timestamp = { type: 'long', logicalType: 'timestamp-millis' };
  const decimal = { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 };
  const fixedDecimal = {
    type: 'record',
    name: 'P',
    namespace: 'n',
    fields: [{ name: 'a', type: { type: 'fixed', name: 'A', size: 8, logicalType: 'decimal', precision: 18, scale: 4 } }],
  };

  test('apache-avro 0.17+ strips logicalType and keeps precision and scale', () => {
    assert.equal(canonicalForms(timestamp).rust, '{"type":"long"}');
    assert.equal(canonicalForms(decimal).rust, '{"type":"bytes","precision":10,"scale":2}');
    assert.equal(
      canonicalForms(fixedDecimal).rust,
      '{"name":"n.P","type":"record","fields":[{"name":"a","type":{"name":"n.A","type":"fixed","size":8,"precision":18,"scale":4}}]}',
    );
    assert.equal(canonicalForms({ type: 'long', connect: 'x' }).rust, '"long"', 'attributes that are no logical type are dropped by its parser');
  });

  test('apache-avro up to 0.16 keeps logicalType', () => {
    assert.equal(canonicalForms(timestamp)['rust-0.16'], '{"type":"long","logicalType":"timestamp-millis"}');
    assert.equal(canonicalForms(decimal)['rust-0.16'], '{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}');
  });

  test('Apache.Avro C# writes a logical fixed as its short name and a logical primitive as the spec does', () => {
    assert.equal(canonicalForms(fixedDecimal).csharp, '{"name":"n.P","type":"record","fields":[{"name":"a","type":"A"}]}');
    assert.equal(canonicalForms(timestamp).csharp, '"long"');
  });
});
