// The dead-letter filter as the page holds it, and its two other forms: the hash's query string
// (so links from the overview and reloads keep it) and the API's query parameters / JSON body.
// Pure (no DOM), so unit tests import it.
import type { LetterFilter } from '../../../shared/console/views.ts';

/** The form's fields, all strings as the inputs hold them (`since`/`until` are ISO times). */
type FilterFields = {
  readonly reason: string;
  readonly routeKey: string;
  readonly subject: string;
  readonly since: string;
  readonly until: string;
  readonly limit: string;
};

const FIELD_NAMES = ['reason', 'routeKey', 'subject', 'since', 'until'] as const;

const EMPTY_FIELDS: FilterFields = { reason: '', routeKey: '', subject: '', since: '', until: '', limit: '' };

/** Reads the filter from a query string (`reason=...&routeKey=...`); `route` is accepted as `routeKey`, as the overview links it. */
function fieldsFromQuery(query: string): FilterFields {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const read = (name: string): string => (params.get(name) ?? '').trim();
  return {
    reason: read('reason'),
    routeKey: read('routeKey') || read('route'),
    subject: read('subject'),
    since: read('since'),
    until: read('until'),
    limit: read('limit'),
  };
}

/** The query string of the set fields, in a fixed order (so two equal filters give equal strings); empty when none is set. */
function queryFromFields(fields: FilterFields): string {
  const params = new URLSearchParams();
  for (const name of FIELD_NAMES) {
    const value = fields[name].trim();
    if (value !== '') params.set(name, value);
  }
  if (fields.limit.trim() !== '') params.set('limit', fields.limit.trim());
  return params.toString();
}

/** The filter an action applies to: the set fields only (the limit is a listing's, not a filter's). */
function filterFromFields(fields: FilterFields): LetterFilter {
  const filter: Record<string, string> = {};
  for (const name of FIELD_NAMES) {
    const value = fields[name].trim();
    if (value !== '') filter[name] = value;
  }
  return filter;
}

/** Replay and purge refuse a filter that selects everything. */
function isEmptyFilter(filter: LetterFilter): boolean {
  return (filter.ids === undefined || filter.ids.length === 0) && FIELD_NAMES.every((name) => (filter[name] ?? '') === '');
}

/** One canonical string per filter: a dry run counts only for the filter it ran with. */
function filterKey(filter: LetterFilter): string {
  const ids = filter.ids === undefined ? [] : [...filter.ids].sort();
  return JSON.stringify([ids, ...FIELD_NAMES.map((name) => filter[name] ?? '')]);
}

/** The filter in words, for the purge confirmation: `reason = x, route = y`. */
function describeFilter(filter: LetterFilter): string {
  const labels: Record<(typeof FIELD_NAMES)[number], string> = {
    reason: 'reason',
    routeKey: 'route',
    subject: 'subject',
    since: 'since',
    until: 'until',
  };
  const parts: string[] = [];
  if (filter.ids !== undefined && filter.ids.length > 0) parts.push(`id ${filter.ids.join(', ')}`);
  for (const name of FIELD_NAMES) {
    const value = filter[name];
    if (value !== undefined && value !== '') parts.push(`${labels[name]} = ${value}`);
  }
  return parts.length === 0 ? 'everything' : parts.join(', ');
}

/** `YYYY-MM-DDThh:mm` of a `datetime-local` input (local time) → ISO; '' stays ''; null when not a time. */
function localInputToIso(value: string): string | null {
  if (value.trim() === '') return '';
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** ISO → the `datetime-local` input's value in local time (to the minute, or second when set). */
function isoToLocalInput(iso: string): string {
  if (iso === '') return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (value: number): string => String(value).padStart(2, '0');
  const minutes = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return at.getSeconds() === 0 ? minutes : `${minutes}:${pad(at.getSeconds())}`;
}

export type { FilterFields };
export { EMPTY_FIELDS, describeFilter, fieldsFromQuery, filterFromFields, filterKey, isEmptyFilter, isoToLocalInput, localInputToIso, queryFromFields };
