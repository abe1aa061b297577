import type { Scrape } from './rates.ts';
import { parseScrape } from './scrapeText.ts';

/** A replica that takes longer than this to answer counts as unreachable for this run. */
const SCRAPE_TIMEOUT_MS = 3000;

type ScrapeOutcome = ({ readonly ok: true } & Scrape) | { readonly ok: false; readonly error: string };

/** Why a fetch failed, in an operator's words: the socket error (ECONNREFUSED, ENOTFOUND), not "fetch failed". */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${SCRAPE_TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined || cause.message.includes(code) ? cause.message : `${code} (${cause.message})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** GET one replica's `/metrics` and parse it; every failure (unreachable, not 200, not metrics) is an outcome, never a throw. */
async function scrape(url: string): Promise<ScrapeOutcome> {
  // Stamped when the request goes out, as Prometheus stamps its scrapes: a slow first answer then
  // does not shorten the interval the rates are divided by.
  const atMs = Date.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS), headers: { accept: 'text/plain' } });
    const text = await response.text();
    if (!response.ok) return { ok: false, error: `HTTP ${response.status} ${response.statusText}`.trim() };
    return { ok: true, atMs, samples: parseScrape(text) };
  } catch (error) {
    return { ok: false, error: reasonOf(error) };
  }
}

export { SCRAPE_TIMEOUT_MS, scrape };
export type { ScrapeOutcome };
