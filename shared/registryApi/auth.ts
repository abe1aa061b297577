import { timingSafeEqual } from 'node:crypto';
import { XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';
import { type OriginCheck, refusedOrigin } from './cors.ts';
import type { ApiDeps, ApiRequest } from './request.ts';

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'POST', 'DELETE']);

function isWriteMethod(method: string): boolean {
  return WRITE_METHODS.has(method);
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
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(deps.writeToken);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new XRegistryError(XRegistryErrorType.unauthorized, 'send "Authorization: Bearer <token>" to write');
  }
}

export { authorizeWrite, isWriteMethod };
