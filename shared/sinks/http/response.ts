import { SinkRejectedError, SinkTargetMissingError, SinkUnavailableError } from '../errors.ts';
import type { IngestError } from '../../failures/index.ts';

/** What the sink keeps of a response: enough to classify it and to explain a failure. */
type HttpOutcome = {
  readonly status: number;
  readonly statusText: string;
  readonly retryAfter: string | undefined;
  /** The first bytes of the body (error statuses only), decoded as UTF-8. */
  readonly bodyPrefix: string;
};

const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

// 408 and 425 say "the same request later", like 429 and 5xx.
const RETRYABLE_4XX = new Set([408, 425, 429]);

/** Statuses whose cause may be one event's data, so splitting a batch can isolate it. */
const DATA_STATUSES = new Set([400, 413, 422]);

/** The failure a non-2xx response means, or undefined for success. */
function failureFor(outcome: HttpOutcome, host: string): IngestError | undefined {
  const { status } = outcome;
  if (status >= 200 && status < 300) return undefined;
  const what = `HTTP ${status}${outcome.statusText === '' ? '' : ` ${outcome.statusText}`} from ${host}`;
  const body = outcome.bodyPrefix === '' ? '' : `: ${outcome.bodyPrefix}`;
  if (status >= 500 || RETRYABLE_4XX.has(status)) {
    const delay = retryAfterMs(outcome.retryAfter);
    const after = delay === undefined ? '' : `; retry after ${delay} ms (Retry-After: ${outcome.retryAfter})`;
    return new SinkUnavailableError(`${what}${after}${body}`, delay === undefined ? undefined : { retryAfterMs: delay });
  }
  // Redirects are not followed: the new location was never checked against the allow-list.
  if (status >= 300 && status < 400) return new SinkTargetMissingError(`${what}: redirects are not followed; register the final URL${body}`);
  if (status === 404 || status === 410) return new SinkTargetMissingError(`${what}${body}`);
  return new SinkRejectedError(`${what}${body}`);
}

export { DATA_STATUSES, failureFor, retryAfterMs };
export type { HttpOutcome };
