import { type ApiRequest, bearerTokenMatches } from '../registryApi/index.ts';
import type { ConsoleAuth } from './deps.ts';
import { ConsoleRequestError } from './errors.ts';

/** What an endpoint needs: nothing (the session), a read (token only with CONSOLE_REQUIRE_AUTH) or a write (token always). */
type Access = 'session' | 'read' | 'write';

/** The origin the request was sent to, as a browser would spell it; undefined without a Host header. */
function ownOrigin(request: ApiRequest): { readonly host: string; readonly scheme: string | undefined } | undefined {
  const host = request.headers.host;
  if (host === undefined || host === '') return undefined;
  // Behind API Gateway the scheme the browser used is in X-Forwarded-Proto; locally there is none.
  const proto = request.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase();
  return { host: host.toLowerCase(), scheme: proto === undefined || proto === '' ? undefined : `${proto}:` };
}

function parsedOrigin(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * No cross-origin access: an API request a browser sent from another site (`Sec-Fetch-Site:
 * cross-site`), or with an `Origin` that is not the request's own, is refused before anything
 * runs. Requests without either (curl, the CLI, same-origin GETs) pass; the token decides writes.
 */
function refuseCrossOrigin(request: ApiRequest): void {
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw new ConsoleRequestError(403, 'Forbidden', 'the console API answers only its own page (Sec-Fetch-Site: cross-site)');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const own = ownOrigin(request);
  const sent = parsedOrigin(origin);
  const same = own !== undefined && sent !== undefined && sent.host === own.host && (own.scheme === undefined || own.scheme === sent.protocol);
  if (!same) throw new ConsoleRequestError(403, 'Forbidden', `requests from origin ${origin} are not allowed: the console API answers only its own page`);
}

/** The request carries the configured token (never true when none is configured). */
function isAuthenticated(request: ApiRequest, auth: ConsoleAuth): boolean {
  return auth.token !== undefined && bearerTokenMatches(request.headers.authorization, auth.token);
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };

/**
 * Writes need `Authorization: Bearer <REGISTRY_API_TOKEN>` (401 without it, 403 when no token is
 * configured: the console is read-only then, like the registry API); reads need it too when
 * CONSOLE_REQUIRE_AUTH is set. The session always answers, so the page can ask for the token.
 */
function authorize(request: ApiRequest, auth: ConsoleAuth, access: Access): void {
  if (access === 'session' || (access === 'read' && !auth.requireAuth)) return;
  if (auth.token === undefined) {
    throw new ConsoleRequestError(403, 'Forbidden', 'writes are disabled: no REGISTRY_API_TOKEN is configured');
  }
  if (!isAuthenticated(request, auth)) {
    const what = access === 'write' ? 'to write' : 'to read (CONSOLE_REQUIRE_AUTH is set)';
    throw new ConsoleRequestError(401, 'Unauthorized', `send "Authorization: Bearer <registry token>" ${what}`, CHALLENGE);
  }
}

export { authorize, isAuthenticated, refuseCrossOrigin };
export type { Access };
