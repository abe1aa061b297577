// The console's pages are hash routes (`#/overview`, `#/dead-letters/<id>`, `#/dead-letters?reason=...`):
// the function serves one page, and a reload or a shared link opens the same view.
// Pure (no DOM), so unit tests import it.

type Page = 'overview' | 'routes' | 'registry' | 'dead-letters' | 'letter';

type HashRoute = {
  readonly page: Page;
  /** The letter's id on `letter`. */
  readonly id?: string;
  /** The query string after `?`, without it. */
  readonly query: string;
};

const PAGES: readonly Page[] = ['overview', 'routes', 'registry', 'dead-letters'];

/** Parses `location.hash`; anything unknown is the overview. */
function parseHash(hash: string): HashRoute {
  const bare = hash.replace(/^#\/?/, '');
  const mark = bare.indexOf('?');
  const path = mark === -1 ? bare : bare.slice(0, mark);
  const query = mark === -1 ? '' : bare.slice(mark + 1);
  const [first = '', second] = path.split('/');
  if (first === 'dead-letters' && second !== undefined && second !== '') {
    return { page: 'letter', id: decodeURIComponent(second), query };
  }
  const page = PAGES.find((known) => known === first) ?? 'overview';
  return { page, query };
}

/** The hash of a letter's own page. */
function letterHash(id: string): string {
  return `#/dead-letters/${encodeURIComponent(id)}`;
}

/** The hash of the dead-letter list with a query (`reason=...`), or without one. */
function deadLettersHash(query: string): string {
  return query === '' ? '#/dead-letters' : `#/dead-letters?${query}`;
}

export type { HashRoute, Page };
export { deadLettersHash, letterHash, parseHash };
