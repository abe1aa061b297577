import { isObject } from '../json/index.ts';
import { badRequest } from './errors.ts';
import { optionalString } from './input.ts';
import type { LetterFilter } from './views.ts';

const TEXT_FIELDS = ['reason', 'routeKey', 'subject'] as const;
const TIME_FIELDS = ['since', 'until'] as const;
/** More ids than a page lists at once; a larger selection is a filter, not a list. */
const MAX_IDS = 1000;

function checkedTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Number.isNaN(Date.parse(value))) throw badRequest(`"${name}" must be an ISO-8601 time, not "${value}"`);
  return value;
}

function checkedIds(ids: readonly string[]): readonly string[] {
  if (ids.length === 0) throw badRequest('"ids" is empty: name at least one letter, or leave "ids" out');
  if (ids.length > MAX_IDS) throw badRequest(`"ids" names ${ids.length} letters; at most ${MAX_IDS} at once`);
  if (ids.some((id) => id === '')) throw badRequest('"ids" holds an empty id');
  return ids;
}

/** The fields set, none of them empty, and the times checked. */
function filterOf(fields: Readonly<Record<string, unknown>>, ids: readonly string[] | undefined): LetterFilter {
  const filter: { -readonly [K in keyof LetterFilter]: LetterFilter[K] } = {};
  if (ids !== undefined) filter.ids = checkedIds(ids);
  for (const name of TEXT_FIELDS) {
    const value = optionalString(fields, name);
    if (value !== undefined) filter[name] = value;
  }
  for (const name of TIME_FIELDS) {
    const value = checkedTime(name, optionalString(fields, name));
    if (value !== undefined) filter[name] = value;
  }
  return filter;
}

/** A filter from a GET's query: `ids` repeated or comma-separated, the other fields once each. */
function letterFilterFromQuery(query: URLSearchParams): LetterFilter {
  const given = query.getAll('ids').flatMap((value) => value.split(','));
  const fields = Object.fromEntries([...TEXT_FIELDS, ...TIME_FIELDS].map((name) => [name, query.get(name) ?? undefined]));
  return filterOf(fields, given.length === 0 ? undefined : given);
}

/** A filter from a body's `filter` member (an object; absent is the empty filter). */
function letterFilterFromBody(value: unknown): LetterFilter {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw badRequest('"filter" must be an object: {ids?, reason?, routeKey?, subject?, since?, until?}');
  const known = new Set<string>(['ids', ...TEXT_FIELDS, ...TIME_FIELDS]);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) throw badRequest(`"filter" has unknown fields: ${unknown.join(', ')}`);
  const ids = value.ids;
  if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))) throw badRequest('"filter.ids" must be an array of strings');
  return filterOf(value, ids as readonly string[] | undefined);
}

/** Selects every letter: nothing narrows it. */
function isEmptyFilter(filter: LetterFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

export { isEmptyFilter, letterFilterFromBody, letterFilterFromQuery };
