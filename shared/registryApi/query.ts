import { type Inline, XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import { fail } from './responses.ts';

type Collection = Record<string, Record<string, unknown>>;

function inlineOf(query: URLSearchParams): Inline {
  return new Set(
    query
      .getAll('inline')
      .flatMap((value) => (value === '' ? ['*'] : value.split(',')))
      .flatMap((path) => path.split('.')),
  );
}

/** `?filter=a=b,c=d` (AND within one parameter, OR across parameters); `=null` means absent. */
function applyFilter(collection: Collection, query: URLSearchParams): Collection {
  const filters = query.getAll('filter');
  if (filters.length === 0) return collection;
  const clauses = filters.map((filter) =>
    filter.split(',').map((expression) => {
      const at = expression.indexOf('=');
      if (at <= 0) fail(XRegistryErrorType.badRequest, `filter "${expression}" must be attribute=value`);
      return { attribute: expression.slice(0, at), value: expression.slice(at + 1) };
    }),
  );
  const matches = (entity: Record<string, unknown>): boolean =>
    clauses.some((clause) =>
      clause.every(({ attribute, value }) => {
        const actual = attribute.split('.').reduce<unknown>((node, key) => (isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined), entity);
        return value === 'null' ? actual === undefined || actual === null : actual !== undefined && String(actual) === value;
      }),
    );
  return Object.fromEntries(Object.entries(collection).filter(([, entity]) => matches(entity)));
}

/** A non-negative integer from a query parameter or header, or a 400 naming it. */
function epochValue(raw: string | null | undefined, what: string): number | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(raw.trim())) fail(XRegistryErrorType.badRequest, `${what} must be a non-negative integer, got "${raw}"`);
  return Number(raw.trim());
}

export { applyFilter, epochValue, inlineOf };
