import { CANONICAL_VARIANT_NAMES } from '../avro/index.ts';
import { XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';
import type { ApiRequest, ApiResponse } from './request.ts';

// What a browser page on an allowed origin may send and read. The request headers are the ones
// the API reads; the exposed ones are the links and the xRegistry-* headers of document responses.
const ALLOWED_METHODS = 'GET, PUT, PATCH, POST, DELETE';
const ALLOWED_HEADERS =
  'authorization, content-type, xregistry-epoch, xregistry-format, xregistry-name, xregistry-description, xregistry-versionid, xregistry-ancestorid';
const EXPOSED_HEADERS =
  'location, content-location, xregistry-schemaid, xregistry-versionid, xregistry-self, xregistry-xid, xregistry-epoch, xregistry-format, xregistry-isdefault, xregistry-fingerprint, xregistry-numericid, ' +
  CANONICAL_VARIANT_NAMES.map((variant) => `xregistry-fingerprints-${variant}`).join(', ');
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** How the request's Origin stands: none sent (not a cross-origin browser call), allowed, or not. */
type OriginCheck = { readonly kind: 'none' } | { readonly kind: 'allowed'; readonly origin: string } | { readonly kind: 'refused'; readonly origin: string };

function checkOrigin(request: ApiRequest, origins: readonly string[]): OriginCheck {
  const origin = request.headers.origin;
  if (origin === undefined) return { kind: 'none' };
  return origins.includes(origin) ? { kind: 'allowed', origin } : { kind: 'refused', origin };
}

/**
 * Headers every response carries. Without configured origins there are none at all, so no
 * browser page may read or write. Credentials (cookies) are never allowed: writes carry a
 * Bearer token, which a page must hold itself.
 */
function corsHeaders(check: OriginCheck, origins: readonly string[]): Record<string, string> {
  if (origins.length === 0) return {};
  // The answer depends on Origin, so caches must keep one per origin.
  const vary = { vary: 'Origin' };
  if (check.kind !== 'allowed') return vary;
  return { ...vary, 'access-control-allow-origin': check.origin, 'access-control-expose-headers': EXPOSED_HEADERS };
}

/**
 * OPTIONS is only a CORS preflight here: 204 with the allowed methods and headers for an allowed
 * origin; a problem document otherwise (403 for an origin not on the list, 405 without one).
 */
function preflight(_request: ApiRequest, check: OriginCheck, origins: readonly string[]): ApiResponse {
  if (check.kind === 'none')
    throw new XRegistryError(XRegistryErrorType.methodNotAllowed, 'OPTIONS answers CORS preflights only (send Origin and Access-Control-Request-Method)');
  if (check.kind === 'refused') throw refusedOrigin(check.origin);
  return {
    status: 204,
    headers: {
      ...corsHeaders(check, origins),
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
    },
    body: '',
  };
}

function refusedOrigin(origin: string): XRegistryError {
  return new XRegistryError(XRegistryErrorType.forbidden, `requests from origin ${origin} are not allowed (REGISTRY_API_CORS_ORIGINS)`);
}

export { checkOrigin, corsHeaders, preflight, refusedOrigin };
export type { OriginCheck };
