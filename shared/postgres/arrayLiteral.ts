// Characters that must be backslash-escaped inside a quoted array element.
const ARRAY_ESCAPE = /[\\"]/;
const ARRAY_ESCAPE_ALL = /[\\"]/g;

/**
 * Values as a PostgreSQL array literal (`{"a","b",NULL}`), built here rather than by `sql.array`:
 * the string goes out as an untyped parameter and the statement's own `::<type>[]` cast types it,
 * so nothing depends on postgres.js having fetched array types first (porsager/postgres#789: a
 * fresh process's first `sql.array` was serialised as "malformed array literal"), and values
 * without `\` or `"` (nearly all of them) are copied without postgres.js's two regex replaces each.
 * `value` picks each item's text, so callers need not build an intermediate array.
 */
function arrayLiteral<T>(items: readonly T[], value: (item: T) => string | null): string {
  let out = '{';
  for (let index = 0; index < items.length; index++) {
    if (index > 0) out += ',';
    const text = value(items[index]!);
    if (text === null) out += 'NULL';
    else out += `"${ARRAY_ESCAPE.test(text) ? text.replace(ARRAY_ESCAPE_ALL, '\\$&') : text}"`;
  }
  return `${out}}`;
}

export { arrayLiteral };
