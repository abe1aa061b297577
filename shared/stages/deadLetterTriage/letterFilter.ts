import { parseLetterId } from '../../deadletters/index.ts';
import { FailureReason } from '../../failures/index.ts';
import { isPublishSubject, isVersion } from '../../names/index.ts';
import type { ReplayFilter } from '../dlqReplay/replay.ts';

/** The query parameters parseLetterFilter reads; any other name is refused. */
const LETTER_FILTER_PARAMETERS = ['ids', 'reason', 'routeKey', 'subject', 'since', 'until', 'limit'] as const;

/** How many letters a list shows when the parameters do not say, and the most it may show. */
const DEFAULT_LETTER_LIMIT = 100;
const MAX_LETTER_LIMIT = 10_000;

const REASONS: ReadonlySet<string> = new Set(Object.values(FailureReason));

/**
 * ISO-8601 date, or date and time with a zone (`Z` or an offset): a time without a zone would be
 * read in the server's own time zone, which an operator in a browser cannot know.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2})))?$/;

/** A filter parameter with a value that cannot select letters. Never retryable: the request itself is wrong. */
class LetterFilterError extends Error {
  readonly retryable = false;
  readonly parameter: string;
  readonly value: string;

  constructor(parameter: string, value: string, problem: string, options?: ErrorOptions) {
    super(`${parameter}=${JSON.stringify(value)}: ${problem}`, options);
    this.name = 'LetterFilterError';
    this.parameter = parameter;
    this.value = value;
  }
}

type ParsedLetterFilter = { readonly filter: ReplayFilter; readonly limit: number };

function isRouteKey(text: string): boolean {
  const tokens = text.split('.');
  return isPublishSubject(text) && tokens.length >= 2 && isVersion(tokens.at(-1)!);
}

/** Whether an ISO_TIME match names a real date and time: Date.parse takes 2026-02-30 as March 2nd. */
function isRealTime(match: RegExpExecArray): boolean {
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((group) => (group === undefined ? undefined : Number(group)));
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

function isoTime(parameter: string, value: string): string {
  const match = ISO_TIME.exec(value);
  if (match === null || !isRealTime(match) || Number.isNaN(Date.parse(value))) {
    throw new LetterFilterError(parameter, value, 'not an ISO-8601 time (e.g. 2026-03-01T10:00:00Z; a time needs its zone)');
  }
  return value;
}

/**
 * Query parameters (each optional; an empty value counts as absent, as an empty form field) as a
 * dead-letter filter and a list limit: `ids` comma-separated letter ids (`<stream>:<sequence>`,
 * or a bare sequence of `options.ingestStream` when given), `reason` a failure reason code,
 * `routeKey` `type.version`, `subject` the original subject, `since`/`until` ISO-8601 bounds of
 * the last failure time, `limit` 1..10000 (default 100). Throws LetterFilterError for any value it
 * cannot use and for unknown parameters: a misspelt filter must not widen a purge to every letter.
 */
function parseLetterFilter(params: Readonly<Record<string, string | undefined>>, options: { readonly ingestStream?: string } = {}): ParsedLetterFilter {
  const known: ReadonlySet<string> = new Set(LETTER_FILTER_PARAMETERS);
  for (const [name, value] of Object.entries(params)) {
    if (!known.has(name)) throw new LetterFilterError(name, value ?? '', `unknown filter parameter; known: ${LETTER_FILTER_PARAMETERS.join(', ')}`);
  }
  const given = (name: (typeof LETTER_FILTER_PARAMETERS)[number]): string | undefined => {
    const value = params[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const filter: { -readonly [K in keyof ReplayFilter]: ReplayFilter[K] } = {};

  const ids = given('ids');
  if (ids !== undefined) {
    filter.ids = ids.split(',').map((text) => {
      const id = parseLetterId(text, options.ingestStream ?? '');
      // Without an ingest stream a bare sequence would become `:<n>`, which is no letter's id.
      if (id === undefined || id.startsWith(':'))
        throw new LetterFilterError('ids', ids, `${JSON.stringify(text.trim())} is not a dead-letter id (<stream>:<sequence>)`);
      return id;
    });
  }
  const reason = given('reason');
  if (reason !== undefined) {
    if (!REASONS.has(reason)) throw new LetterFilterError('reason', reason, `not a failure reason; known: ${[...REASONS].join(', ')}`);
    filter.reason = reason;
  }
  const routeKey = given('routeKey');
  if (routeKey !== undefined) {
    if (!isRouteKey(routeKey)) throw new LetterFilterError('routeKey', routeKey, 'not a route key (<type>.<version>, e.g. metrics.cpu.usage.v1)');
    filter.routeKey = routeKey;
  }
  const subject = given('subject');
  if (subject !== undefined) {
    if (!isPublishSubject(subject)) throw new LetterFilterError('subject', subject, 'not a NATS subject (dot-separated tokens, no wildcards or spaces)');
    filter.subject = subject;
  }
  const since = given('since');
  if (since !== undefined) filter.since = isoTime('since', since);
  const until = given('until');
  if (until !== undefined) filter.until = isoTime('until', until);
  if (since !== undefined && until !== undefined && Date.parse(since) > Date.parse(until)) {
    throw new LetterFilterError('since', since, `after until (${until}): no letter could match`);
  }

  const limitText = given('limit');
  let limit = DEFAULT_LETTER_LIMIT;
  if (limitText !== undefined) {
    limit = /^[0-9]+$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LETTER_LIMIT) {
      throw new LetterFilterError('limit', limitText, `not a whole number from 1 to ${MAX_LETTER_LIMIT}`);
    }
  }
  return { filter, limit };
}

export { DEFAULT_LETTER_LIMIT, LETTER_FILTER_PARAMETERS, LetterFilterError, MAX_LETTER_LIMIT, parseLetterFilter };
export type { ParsedLetterFilter };
