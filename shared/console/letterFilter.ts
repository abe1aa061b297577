import { isObject } from '../json/index.ts';
import { LetterFilterError, parseLetterFilter } from '../stages/index.ts';
import { badRequest } from './errors.ts';
import type { LetterFilter } from './views.ts';

const FILTER_FIELDS = ['reason', 'routeKey', 'subject', 'since', 'until'] as const;
/** More ids than a page lists at once; a larger selection is a filter, not a list. */
const MAX_IDS = 1000;

/**
 * Every filter is checked by the parser `ingest dlq`'s library uses (parseLetterFilter: reason
 * codes, route keys, subjects, zoned ISO-8601 times, a limit), so the console selects letters by
 * exactly the rules the CLI does; its refusals become 400s that name the parameter.
 */
function parsed(params: Readonly<Record<string, string>>): { readonly filter: LetterFilter; readonly limit: number } {
  try {
    return parseLetterFilter(params);
  } catch (error) {
    if (error instanceof LetterFilterError) throw badRequest(error.message);
    throw error;
  }
}

/** A filter and a limit from a GET's query: `ids` repeated or comma-separated, the rest once each; unknown names refused. */
function letterListQuery(query: URLSearchParams): { readonly filter: LetterFilter; readonly limit: number } {
  const params: Record<string, string> = {};
  for (const [name, value] of query) params[name] = params[name] === undefined ? value : `${params[name]},${value}`;
  return parsed(params);
}

/** A filter from a body's `filter` member (an object; absent is the empty filter). */
function letterFilterFromBody(value: unknown): LetterFilter {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw badRequest('"filter" must be an object: {ids?, reason?, routeKey?, subject?, since?, until?}');
  const known = new Set<string>(['ids', ...FILTER_FIELDS]);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) throw badRequest(`"filter" has unknown fields: ${unknown.join(', ')}`);
  const params: Record<string, string> = {};
  const { ids } = value;
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id.trim() === '' || id.includes(',')))
      throw badRequest('"filter.ids" must be an array of letter ids (<stream>:<sequence>)');
    if (ids.length === 0) throw badRequest('"filter.ids" is empty: name at least one letter, or leave "ids" out');
    if (ids.length > MAX_IDS) throw badRequest(`"filter.ids" names ${ids.length} letters; at most ${MAX_IDS} at once`);
    params.ids = ids.join(',');
  }
  for (const name of FILTER_FIELDS) {
    const field = value[name];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string') throw badRequest(`"filter.${name}" must be a string`);
    params[name] = field;
  }
  return parsed(params).filter;
}

/** Selects every letter: nothing narrows it. */
function isEmptyFilter(filter: LetterFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

export { isEmptyFilter, letterFilterFromBody, letterListQuery };
