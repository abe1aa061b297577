type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Decoded Avro as plain JSON, the form that travels between functions and into jsonb:
 * timestamps become ISO-8601 strings and bytes/fixed become base64.
 *
 * Runs on every field of every event, so it dispatches on `typeof` first (strings and numbers,
 * most fields, return at once) and walks objects by `Object.keys` (own enumerable keys, as
 * `Object.entries` did) without allocating a [key, value] pair per field.
 */
function toJsonValue(value: unknown): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      if (Buffer.isBuffer(value)) return value.toString('base64');
      if (Array.isArray(value)) {
        const items: JsonValue[] = new Array<JsonValue>(value.length);
        for (let index = 0; index < value.length; index++) items[index] = toJsonValue(value[index]);
        return items;
      }
      const source = value as { readonly [key: string]: unknown };
      const out: { [key: string]: JsonValue } = {};
      const keys = Object.keys(source);
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index]!;
        out[key] = toJsonValue(source[key]);
      }
      return out;
    }
    default:
      return String(value);
  }
}

export { toJsonValue };
export type { JsonValue };
