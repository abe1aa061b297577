import { isObject, type JsonObject as Json } from '../../json/index.ts';
import { isSqlIdentifier } from '../../postgres/index.ts';

// The mapped-column layout of a PostgreSQL sink: which SQL type each column gets, derived from
// the route's Avro schema, and which value of the decoded event fills it. Pure.

/** The SQL types a mapped column can have; each is also the cast its values are sent with. */
type ColumnSqlType = 'text' | 'integer' | 'bigint' | 'double precision' | 'boolean' | 'timestamptz' | 'jsonb';

type MappedColumn = {
  readonly name: string;
  /** Dot-separated field names from the top of the decoded event, e.g. `data.value`. */
  readonly path: string;
  readonly sqlType: ColumnSqlType;
  readonly nullable: boolean;
};

/** Columns every mapped table has; a mapping may not reuse their names. */
const FIXED_COLUMNS = ['event_id', 'event_time', 'ingested_at'] as const;
const MAX_COLUMNS = 200;
const MAX_PATH_DEPTH = 16;
const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Named types (records, enums, fixed) by full and by short name, so references can be followed. */
function namedTypes(schema: unknown, namespace = '', out = new Map<string, Json>()): Map<string, Json> {
  if (Array.isArray(schema)) {
    for (const branch of schema) namedTypes(branch, namespace, out);
    return out;
  }
  if (!isObject(schema)) return out;
  let inner = namespace;
  if (typeof schema.name === 'string' && ['record', 'error', 'enum', 'fixed'].includes(String(schema.type))) {
    const space = typeof schema.namespace === 'string' ? schema.namespace : namespace;
    const full = schema.name.includes('.') || space === '' ? schema.name : `${space}.${schema.name}`;
    out.set(full, schema);
    out.set(full.split('.').at(-1)!, schema);
    inner = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
  }
  if (Array.isArray(schema.fields)) for (const field of schema.fields) if (isObject(field)) namedTypes(field.type, inner, out);
  if (schema.items !== undefined) namedTypes(schema.items, inner, out);
  if (schema.values !== undefined) namedTypes(schema.values, inner, out);
  if (isObject(schema.type) || Array.isArray(schema.type)) namedTypes(schema.type, inner, out);
  return out;
}

function resolveName(type: unknown, names: Map<string, Json>): unknown {
  if (typeof type !== 'string') return type;
  return names.get(type) ?? names.get(type.split('.').at(-1)!) ?? type;
}

/** A `["null", X]` union is X, nullable; other unions stay as they are. */
function unwrapNullable(type: unknown, names: Map<string, Json>): { type: unknown; nullable: boolean } {
  const resolved = resolveName(type, names);
  if (!Array.isArray(resolved)) return { type: resolved, nullable: false };
  const branches = resolved.filter((branch) => branch !== 'null');
  const nullable = branches.length < resolved.length;
  return branches.length === 1 ? { type: resolveName(branches[0], names), nullable } : { type: resolved, nullable };
}

function typeName(type: unknown): string {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return 'union';
  return isObject(type) ? String(type.type) : String(type);
}

const PRIMITIVE_SQL: Readonly<Record<string, ColumnSqlType>> = {
  string: 'text',
  int: 'integer',
  long: 'bigint',
  float: 'double precision',
  double: 'double precision',
  boolean: 'boolean',
  // The decoded event carries bytes as base64 text, and that is what lands.
  bytes: 'text',
  enum: 'text',
  fixed: 'text',
  record: 'jsonb',
  error: 'jsonb',
  map: 'jsonb',
  array: 'jsonb',
  union: 'jsonb',
};

/** The SQL type of a value of Avro type `type`, as validate decodes it (timestamp-millis becomes ISO text). */
function sqlTypeOf(type: unknown): ColumnSqlType | undefined {
  if (isObject(type)) {
    // Only timestamp-millis is decoded as a time; other logical types arrive as their base type.
    if (type.logicalType === 'timestamp-millis' && type.type === 'long') return 'timestamptz';
    if (typeof type.type === 'string' && !['record', 'error', 'enum', 'fixed', 'map', 'array'].includes(type.type)) {
      return PRIMITIVE_SQL[type.type];
    }
  }
  return PRIMITIVE_SQL[typeName(type)];
}

/** The column type at `path` in `schema`, or a problem. Intermediate steps must be records. */
function columnAt(schema: unknown, path: string): { sqlType: ColumnSqlType; nullable: boolean } | string {
  const segments = path.split('.');
  if (segments.length > MAX_PATH_DEPTH || !segments.every((segment) => AVRO_NAME.test(segment))) {
    return `path "${path}" must be field names joined by dots (e.g. data.value)`;
  }
  const names = namedTypes(schema);
  let current: unknown = schema;
  let nullable = false;
  for (const [index, segment] of segments.entries()) {
    const step = unwrapNullable(current, names);
    nullable ||= step.nullable;
    const record = step.type;
    if (!isObject(record) || (record.type !== 'record' && record.type !== 'error') || !Array.isArray(record.fields)) {
      const where = segments.slice(0, index).join('.') || '(the event)';
      return `path "${path}": ${where} is a ${typeName(record)}, not a record; map ${where} itself (as jsonb) instead`;
    }
    const field = record.fields.find((candidate): candidate is Json => isObject(candidate) && candidate.name === segment);
    if (field === undefined) return `path "${path}": the schema has no field "${segment}" there`;
    current = field.type;
  }
  const last = unwrapNullable(current, names);
  const sqlType = sqlTypeOf(last.type);
  if (sqlType === undefined) return `path "${path}" has Avro type ${typeName(last.type)}, which no column type holds`;
  return { sqlType, nullable: nullable || last.nullable };
}

/** Checks a declared mapping's shape (no schema needed): identifiers, paths, no reserved columns. */
function columnsProblem(columns: unknown): string | undefined {
  if (!isObject(columns)) return 'columns must be an object {"<column>": "<path>"}';
  const entries = Object.entries(columns);
  if (entries.length === 0) return 'columns must map at least one column (leave it out for the default layout)';
  if (entries.length > MAX_COLUMNS) return `columns may map at most ${MAX_COLUMNS} columns`;
  for (const [name, path] of entries) {
    if (!isSqlIdentifier(name)) return `column "${name}" must be a lower-case identifier (a-z, 0-9, _; at most 63)`;
    if ((FIXED_COLUMNS as readonly string[]).includes(name)) return `column "${name}" is always present; map another name`;
    if (typeof path !== 'string' || path.length > 1024) return `column "${name}": the path must be a string`;
    const segments = path.split('.');
    if (segments.length > MAX_PATH_DEPTH || !segments.every((segment) => AVRO_NAME.test(segment))) {
      return `column "${name}": path "${path}" must be field names joined by dots (e.g. data.value)`;
    }
  }
  return undefined;
}

/** The mapped columns with their types from the route's reader schema; throws the first problem as an Error. */
function mappedColumns(columns: Readonly<Record<string, string>>, schema: unknown): MappedColumn[] {
  const shape = columnsProblem(columns);
  if (shape !== undefined) throw new Error(shape);
  return Object.entries(columns).map(([name, path]) => {
    const column = columnAt(schema, path);
    if (typeof column === 'string') throw new Error(`column "${name}": ${column}`);
    return { name, path, ...column };
  });
}

/** The value at `path` in a decoded event; a missing step is null. */
function valueAt(event: unknown, path: string): unknown {
  let current = event;
  for (const segment of path.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, segment)) return null;
    current = current[segment];
  }
  return current ?? null;
}

/**
 * The text a value is sent as; PostgreSQL casts it to the column's type, so a value that does not
 * fit (a string in a bigint column after a schema change) fails as a data error of its own row.
 */
function sqlText(value: unknown, jsonb: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (jsonb) return JSON.stringify(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Whether the schema's own `time` is a timestamp-millis, i.e. event_time comes from the event itself. */
function hasEventTime(schema: unknown): boolean {
  if (!isObject(schema) || !Array.isArray(schema.fields)) return false;
  const time = schema.fields.find((field): field is Json => isObject(field) && field.name === 'time');
  return time !== undefined && isObject(time.type) && time.type.type === 'long' && time.type.logicalType === 'timestamp-millis';
}

export { columnAt, columnsProblem, FIXED_COLUMNS, hasEventTime, mappedColumns, sqlText, valueAt };
export type { ColumnSqlType, MappedColumn };
