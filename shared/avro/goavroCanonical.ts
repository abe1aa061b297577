import { isObject } from '../json/index.ts';
import { SchemaDefinitionError } from './errors.ts';

/**
 * goavro's (github.com/linkedin/goavro/v2, checked against 2.10.1) canonical form, rebuilt rule by
 * rule because it departs from the specification in more than one place and Go producers frame
 * single objects with its fingerprint (`Codec.Rabin`):
 * - it canonicalises the JSON *after* building the codec, which edits the schema: a logicalType
 *   it does not know (uuid, local-timestamp-*, duration, ...) is deleted, and the first `bytes`
 *   decimal without a name is given the name `bytes.decimal`;
 * - an object is reduced to its type name only when `type` is its only attribute, so a logical
 *   primitive stays `{"type":"long"}`;
 * - a name is qualified only by a `namespace` attribute on the same object (a nested namespace is
 *   appended to the enclosing one) or, for a record, by the enclosing namespace; a nested enum or
 *   fixed without its own namespace keeps its short name;
 * - every string it writes, attribute names and field names included, is replaced by the full
 *   name a short name was qualified to earlier in the walk;
 * - numbers are printed as Go's `strconv.FormatFloat(v, 'g', -1, 64)`.
 * Go visits an object's attributes in random order; this walk takes `name` first, which is the
 * order that lets a record refer to itself by its short name.
 */

/** The logical types goavro 2.x has codecs for; the others are deleted from the schema. */
const GOAVRO_LOGICAL: ReadonlySet<string> = new Set(['long.timestamp-millis', 'long.timestamp-micros', 'int.time-millis', 'long.time-micros', 'int.date']);

/** goavro's `fieldOrder`: the attributes kept, in the order written. */
const FIELD_ORDER = ['name', 'type', 'fields', 'symbols', 'items', 'values', 'size'] as const;

type Json = unknown;
type MutableObject = { [key: string]: Json };

/** The edits goavro's codec builder makes to the schema before it is canonicalised. */
function edit(schema: Json, state: { decimalNamed: boolean }): Json {
  if (Array.isArray(schema)) return schema.map((branch) => edit(branch, state));
  if (!isObject(schema)) return schema;
  const out: MutableObject = { ...schema };
  if (typeof out.type === 'string' && typeof out.logicalType === 'string') {
    const search = `${out.type}.${out.logicalType}`;
    if (search === 'bytes.decimal') {
      if (!state.decimalNamed && out.name === undefined) out.name = 'bytes.decimal';
      state.decimalNamed = true;
    } else if (search !== 'fixed.decimal' && !GOAVRO_LOGICAL.has(search)) {
      delete out.logicalType;
    }
  }
  if (isObject(out.type) || Array.isArray(out.type)) out.type = edit(out.type, state);
  if (Array.isArray(out.fields)) out.fields = out.fields.map((field) => edit(field, state));
  if (out.items !== undefined) out.items = edit(out.items, state);
  if (out.values !== undefined) out.values = edit(out.values, state);
  return out;
}

function goString(value: string, lookup: Map<string, string>): string {
  return `"${lookup.get(value) ?? value}"`;
}

function goNumber(value: number): string {
  // FormatFloat 'g' with the shortest precision writes an exponent from 1e6 on (the only numbers
  // kept are fixed sizes, non-negative integers): 1000000 is 1e+06, 1234567 is 1.234567e+06.
  if (!Number.isInteger(value) || Math.abs(value) < 1e6) return String(value);
  const digits = String(Math.abs(value)).replace(/0+$/, '');
  const exponent = String(Math.abs(value)).length - 1;
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${value < 0 ? '-' : ''}${mantissa}e+${String(exponent).padStart(2, '0')}`;
}

function walk(schema: Json, parentNamespace: string, lookup: Map<string, string>): string {
  if (typeof schema === 'string') return goString(schema, lookup);
  if (typeof schema === 'number') return goNumber(schema);
  if (Array.isArray(schema)) return `[${schema.map((item) => walk(item, parentNamespace, lookup)).join(',')}]`;
  if (!isObject(schema)) throw new SchemaDefinitionError(`not an Avro schema: ${JSON.stringify(schema)}`);

  const keys = Object.keys(schema);
  if (keys.length === 1 && typeof schema.type === 'string') return `"${schema.type}"`;
  let namespace = '';
  let childNamespace = parentNamespace;
  if (typeof schema.namespace === 'string') {
    namespace = parentNamespace === '' ? schema.namespace : `${parentNamespace}.${schema.namespace}`;
    childNamespace = namespace;
  } else if (schema.type === 'record') {
    namespace = parentNamespace;
  }
  const pairs: string[] = [];
  for (const key of FIELD_ORDER) {
    if (!(key in schema)) continue;
    let value = schema[key];
    if (key === 'name' && namespace !== '' && typeof value === 'string' && !value.includes('.')) {
      const full = `${namespace}.${value}`;
      lookup.set(value, full);
      value = full;
    }
    if (key === 'size' && typeof value === 'string') value = Number(value);
    pairs.push(`${goString(key, lookup)}:${walk(value, childNamespace, lookup)}`);
  }
  return `{${pairs.join(',')}}`;
}

function goavroCanonicalForm(schema: unknown): string {
  return walk(edit(schema, { decimalNamed: false }), '', new Map());
}

export { goavroCanonicalForm };
