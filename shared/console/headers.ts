// What every console response carries, by kind. The page is served by the plane itself, so the
// policy allows only its own origin; no response ever carries a CORS header.

/** Every response: no MIME sniffing, no Referer leaking paths (and ids in them) to other sites. */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The page's Content-Security-Policy: its own scripts, styles and API only; never framed. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** API answers and problems: never stored by a cache (they carry registry data and letters). */
const API_HEADERS: Readonly<Record<string, string>> = { ...COMMON_HEADERS, 'cache-control': 'no-store' };

/** index.html: fetched fresh each time, since it names the current hashed assets. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON_HEADERS,
  'cache-control': 'no-store',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
};

/** A content-hashed asset never changes under its name; any other asset is revalidated. */
function assetHeaders(immutable: boolean): Readonly<Record<string, string>> {
  return { ...COMMON_HEADERS, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' };
}

export { API_HEADERS, assetHeaders, COMMON_HEADERS, CONTENT_SECURITY_POLICY, PAGE_HEADERS };
