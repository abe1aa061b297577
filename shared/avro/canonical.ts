import { isObject } from '../json/index.ts';
import { SchemaDefinitionError } from './errors.ts';

const PRIMITIVE_TYPES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED_TYPES: ReadonlySet<string> = new Set(['record', 'error', 'enum', 'fixed']);

type JsonObject = { readonly [key: string]: unknown };

/**
 * Where an implementation's canonical form departs from the specification's. Each hook returns
 * the text to write, or undefined to write what the specification says. The specification's
 * form is the dialect without hooks.
 */
type Dialect = {
  /** A primitive written as an object (`{"type":"long",...}`), given that object. */
  readonly primitiveObject?: (schema: JsonObject, type: string) => string | undefined;
  /** A fixed definition, given its object, full name and size (already canonical). */
  readonly fixed?: (schema: JsonObject, fullName: string, size: string) => string | undefined;
};

const SPEC: Dialect = {};

/**
 * Full name of a named type per the spec's "Names" rules: a dotted name is already full (its
 * namespace attribute is ignored), otherwise the explicit namespace wins over the inherited one.
 * An empty namespace means the null namespace.
 */
function qualifyName(name: string, namespace: string | undefined): string {
  if (name.includes('.') || namespace === undefined || namespace === '') return name;
  return `${namespace}.${name}`;
}

/** The namespace part of a full name, which nested definitions and references inherit. */
function namespaceOf(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

/**
 * Resolves a reference to a named type. A short name is looked up in the enclosing namespace
 * first; falling back to the null namespace lets a nested schema refer to a top-level type that
 * was declared without one (Java's parser accepts this too).
 */
function resolveReference(name: string, namespace: string, defined: { has(fullName: string): boolean }): string {
  const qualified = qualifyName(name, namespace);
  if (defined.has(qualified) || name.includes('.')) return qualified;
  return defined.has(name) ? name : qualified;
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new SchemaDefinitionError(`${what} must be a non-empty string`);
  return value;
}

function requireArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new SchemaDefinitionError(`${what} must be an array`);
  return value;
}

/** [INTEGERS] `size` may arrive quoted or with leading zeros; the canonical form is a bare integer. */
function canonicalSize(value: unknown): string {
  const size = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new SchemaDefinitionError(`fixed size must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return String(size);
}

/**
 * [STRINGS] + [WHITESPACE]: JSON.stringify writes non-ASCII as literal UTF-8 (only quotes,
 * backslashes and control characters stay escaped, which JSON requires) and adds no spaces.
 */
const str = JSON.stringify;

function canonicalNamed(schema: JsonObject, type: string, namespace: string, defined: Set<string>, dialect: Dialect): string {
  const ownNamespace = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  const fullName = qualifyName(requireString(schema.name, `${type} name`), ownNamespace);
  // A second definition of the same name is written as a reference, as Java's normaliser does.
  if (defined.has(fullName)) return str(fullName);
  // Registered before the children so a recursive reference resolves to this type.
  defined.add(fullName);
  const inner = namespaceOf(fullName);
  // [ORDER] name, type, then the one type-specific attribute. A protocol `error` is a record on
  // the wire, and Java's normaliser writes it as one, so fingerprints agree.
  const head = `{"name":${str(fullName)},"type":${str(type === 'error' ? 'record' : type)}`;
  if (type === 'enum') {
    const symbols = requireArray(schema.symbols, `enum ${fullName} symbols`).map((symbol) => str(requireString(symbol, 'enum symbol')));
    return `${head},"symbols":[${symbols.join(',')}]}`;
  }
  if (type === 'fixed') {
    const size = canonicalSize(schema.size);
    return dialect.fixed?.(schema, fullName, size) ?? `${head},"size":${size}}`;
  }
  const fields = requireArray(schema.fields, `record ${fullName} fields`).map((field) => {
    if (!isObject(field)) throw new SchemaDefinitionError(`record ${fullName} has a field that is not an object`);
    const name = requireString(field.name, `field name in ${fullName}`);
    return `{"name":${str(name)},"type":${canonical(field.type, inner, defined, dialect)}}`;
  });
  return `${head},"fields":[${fields.join(',')}]}`;
}

function canonical(schema: unknown, namespace: string, defined: Set<string>, dialect: Dialect): string {
  if (typeof schema === 'string') {
    return str(PRIMITIVE_TYPES.has(schema) ? schema : resolveReference(schema, namespace, defined));
  }
  if (Array.isArray(schema)) return `[${schema.map((branch) => canonical(branch, namespace, defined, dialect)).join(',')}]`;
  if (!isObject(schema)) throw new SchemaDefinitionError(`not an Avro schema: ${JSON.stringify(schema)}`);

  const type = schema.type;
  // `{"type": <schema>}` wraps another schema; only its inner schema matters for parsing.
  if (typeof type !== 'string') return canonical(type, namespace, defined, dialect);
  // [PRIMITIVES] also drops logicalType and any other annotation on a primitive.
  if (PRIMITIVE_TYPES.has(type)) return dialect.primitiveObject?.(schema, type) ?? str(type);
  if (NAMED_TYPES.has(type)) return canonicalNamed(schema, type, namespace, defined, dialect);
  if (type === 'array') return `{"type":"array","items":${canonical(schema.items, namespace, defined, dialect)}}`;
  if (type === 'map') return `{"type":"map","values":${canonical(schema.values, namespace, defined, dialect)}}`;
  return str(resolveReference(type, namespace, defined));
}

/**
 * Avro Parsing Canonical Form of a parsed JSON schema. Two schemas with the same form are
 * indistinguishable to a reader, so this text (and its fingerprints) identifies a writer schema
 * regardless of docs, aliases, defaults, logical types, attribute order or whitespace.
 */
function parsingCanonicalForm(schema: unknown): string {
  return canonical(schema, '', new Set(), SPEC);
}

/** The canonical form as an implementation with the given departures writes it. */
function dialectCanonicalForm(schema: unknown, dialect: Dialect): string {
  return canonical(schema, '', new Set(), dialect);
}

export { dialectCanonicalForm, namespaceOf, parsingCanonicalForm, PRIMITIVE_TYPES, qualifyName, resolveReference, str as jsonString };
export type { Dialect, JsonObject };
