import { type Dialect, type JsonObject, jsonString } from './canonical.ts';

/**
 * Attributes the Apache Avro Python library keeps out of a schema's properties
 * (`SCHEMA_RESERVED_PROPS` in avro/schema.py, 1.11). Any other attribute on a primitive, a
 * logicalType included, makes the library write the primitive as `{"type":"long"}`.
 */
const PYTHON_RESERVED: ReadonlySet<string> = new Set(['type', 'name', 'namespace', 'fields', 'items', 'size', 'symbols', 'values', 'doc']);

/** Python avro 1.10-1.11 `Schema.canonical_form`, checked against python3-avro 1.11.1. */
const PYTHON: Dialect = {
  primitiveObject: (schema, type) => (Object.keys(schema).some((key) => !PYTHON_RESERVED.has(key)) ? `{"type":${jsonString(type)}}` : undefined),
};

/**
 * The logical types the apache-avro Rust crate parses into a schema of their own; it reads any
 * other logicalType as the bare underlying type, and drops other attributes of a primitive, so
 * only these leave a trace in its canonical form.
 */
const RUST_LOGICAL_TYPES: ReadonlySet<string> = new Set([
  'decimal',
  'big-decimal',
  'uuid',
  'date',
  'time-millis',
  'time-micros',
  'timestamp-millis',
  'timestamp-micros',
  'timestamp-nanos',
  'local-timestamp-millis',
  'local-timestamp-micros',
  'local-timestamp-nanos',
  'duration',
]);

function rustLogical(schema: JsonObject): string | undefined {
  const logical = schema.logicalType;
  return typeof logical === 'string' && RUST_LOGICAL_TYPES.has(logical) ? logical : undefined;
}

/** `,"precision":p,"scale":s` of a decimal, as the crate serialises it (scale defaults to 0). */
function decimalTail(schema: JsonObject): string {
  const precision = Number(schema.precision);
  const scale = schema.scale === undefined ? 0 : Number(schema.scale);
  return `,"precision":${precision},"scale":${scale}`;
}

/**
 * apache-avro (Rust) 0.17 and later: the canonical form is computed from the crate's own JSON of
 * the parsed schema with `logicalType` stripped (AVRO-4004) but `precision` and `scale` kept, so a
 * timestamp is `{"type":"long"}` and a decimal `{"type":"bytes","precision":10,"scale":2}`.
 * Derived from the crate's source (schema.rs, `pcf_map`); no Rust toolchain could build it here.
 */
const RUST: Dialect = {
  primitiveObject: (schema, type) => {
    const logical = rustLogical(schema);
    if (logical === undefined) return undefined;
    return `{"type":${jsonString(type)}${logical === 'decimal' ? decimalTail(schema) : ''}}`;
  },
  fixed: (schema, fullName, size) =>
    rustLogical(schema) === 'decimal' ? `{"name":${jsonString(fullName)},"type":"fixed","size":${size}${decimalTail(schema)}}` : undefined,
};

/**
 * apache-avro (Rust) before 0.17 kept `logicalType` (and a decimal's `precision` and `scale`) in
 * the canonical form: `{"type":"long","logicalType":"timestamp-millis"}`. Derived from the
 * crate's source (schema.rs, `pcf_map` before AVRO-4004).
 */
const RUST_0_16: Dialect = {
  primitiveObject: (schema, type) => {
    const logical = rustLogical(schema);
    if (logical === undefined) return undefined;
    return `{"type":${jsonString(type)},"logicalType":${jsonString(logical)}${logical === 'decimal' ? decimalTail(schema) : ''}}`;
  },
  fixed: (schema, fullName, size) => {
    const logical = rustLogical(schema);
    if (logical === undefined) return undefined;
    const tail = logical === 'decimal' ? decimalTail(schema) : '';
    return `{"name":${jsonString(fullName)},"type":"fixed","size":${size},"logicalType":${jsonString(logical)}${tail}}`;
  },
};

/**
 * Apache.Avro (C#) `SchemaNormalization.ToParsingForm`: a logical schema falls into the primitive
 * branch and is written as its base schema's `Name`. For a primitive that is the spec's `"long"`,
 * but a fixed carrying a logicalType (decimal, duration) comes out as its short name alone.
 * Derived from the library's source (SchemaNormalization.cs, LogicalSchema.cs).
 */
const CSHARP: Dialect = {
  fixed: (schema, fullName) => (typeof schema.logicalType === 'string' ? jsonString(fullName.slice(fullName.lastIndexOf('.') + 1)) : undefined),
};

export { CSHARP, PYTHON, RUST, RUST_0_16 };
