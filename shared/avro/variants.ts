import { dialectCanonicalForm, parsingCanonicalForm } from './canonical.ts';
import { CSHARP, PYTHON, RUST, RUST_0_16 } from './dialects.ts';
import { crc64Avro, fingerprintToHex } from './fingerprint.ts';
import { goavroCanonicalForm } from './goavroCanonical.ts';

/**
 * The canonical forms Avro implementations really write, keyed by the name the registry shows.
 * Implementations disagree on the Parsing Canonical Form of a logical type (and goavro on names
 * too), and a single-object frame carries the CRC-64-AVRO of the writer's own form, so the
 * registry indexes every variant. Forms often coincide; a schema without logical types and with
 * namespaced named types has one form for all of them.
 */
const CANONICAL_VARIANTS = {
  /** The specification's form: Java SchemaNormalization (checked: libavro-java 1.8.2), avsc 5, Apache.Avro C# without a logical fixed. */
  spec: parsingCanonicalForm,
  /** Python avro 1.10-1.11 `canonical_form` (checked: python3-avro 1.11.1): a primitive with attributes stays `{"type":"long"}`. */
  python: (schema: unknown) => dialectCanonicalForm(schema, PYTHON),
  /** goavro 2.x `Codec.CanonicalSchema()` / `Codec.Rabin` (checked: goavro 2.10.1). */
  goavro: goavroCanonicalForm,
  /** apache-avro Rust crate 0.17+: logicalType stripped, a decimal's precision and scale kept (from its source). */
  rust: (schema: unknown) => dialectCanonicalForm(schema, RUST),
  /** apache-avro Rust crate up to 0.16: logicalType kept (from its source). */
  'rust-0.16': (schema: unknown) => dialectCanonicalForm(schema, RUST_0_16),
  /** Apache.Avro C#: a fixed with a logicalType written as its short name (from its source). */
  csharp: (schema: unknown) => dialectCanonicalForm(schema, CSHARP),
} as const;

type CanonicalVariant = keyof typeof CANONICAL_VARIANTS;

/** Who writes each variant, as `ingest registry fingerprints` and the docs name them. */
const CANONICAL_VARIANT_WRITERS: Readonly<Record<CanonicalVariant, string>> = {
  spec: 'the specification: Java SchemaNormalization, avsc, Apache.Avro C#',
  python: 'Apache Avro Python library 1.10-1.11 (schema.canonical_form)',
  goavro: 'goavro 2.x (Codec.Rabin, SingleFromNative)',
  rust: 'apache-avro Rust crate 0.17+',
  'rust-0.16': 'apache-avro Rust crate up to 0.16',
  csharp: 'Apache.Avro C# (a fixed with a logicalType)',
};
const CANONICAL_VARIANT_NAMES = Object.keys(CANONICAL_VARIANTS) as CanonicalVariant[];

/** Every variant's canonical form of one schema. */
function canonicalForms(schema: unknown): Record<CanonicalVariant, string> {
  return Object.fromEntries(CANONICAL_VARIANT_NAMES.map((name) => [name, CANONICAL_VARIANTS[name](schema)])) as Record<CanonicalVariant, string>;
}

/** Every variant's CRC-64-AVRO fingerprint, 16 hex digits each. */
function variantFingerprints(schema: unknown): Record<CanonicalVariant, string> {
  const forms = canonicalForms(schema);
  return Object.fromEntries(CANONICAL_VARIANT_NAMES.map((name) => [name, fingerprintToHex(crc64Avro(Buffer.from(forms[name], 'utf8')))])) as Record<
    CanonicalVariant,
    string
  >;
}

export { CANONICAL_VARIANT_NAMES, CANONICAL_VARIANT_WRITERS, canonicalForms, variantFingerprints };
export type { CanonicalVariant };
