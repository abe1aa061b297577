import { timingSafeEqual } from 'node:crypto';
import { XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';
import { type OriginCheck, refusedOrigin } from './cors.ts';
import type { ApiDeps, ApiRequest } from './request.ts';

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'POST', 'DELETE']);

function isWriteMethod(method: string): boolean {
  return WRITE_METHODS.has(method);
}

/** Whether an `Authorization` header is `Bearer <token>` with exactly this token, compared in constant time. */
function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const value = header ?? '';
  const presented = Buffer.from(value.startsWith('Bearer ') ? value.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * The one check every write of the registry passes, through the xRegistry API and the ccompat
 * API alike: a page from an origin that is not allowed never writes; without a configured token
 * nobody writes (403); otherwise `Authorization: Bearer <token>` must match (401), compared in
 * constant time.
 */
function authorizeWrite(request: ApiRequest, deps: ApiDeps, origin: OriginCheck): void {
  if (origin.kind === 'refused') throw refusedOrigin(origin.origin);
  if (deps.writeToken === undefined) throw new XRegistryError(XRegistryErrorType.forbidden, 'writes are disabled: no REGISTRY_API_TOKEN is configured');
  if (!bearerTokenMatches(request.headers.authorization, deps.writeToken)) {
    throw new XRegistryError(XRegistryErrorType.unauthorized, 'send "Authorization: Bearer <token>" to write');
  }
}

export { authorizeWrite, bearerTokenMatches, isWriteMethod };
