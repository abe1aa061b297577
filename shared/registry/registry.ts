import type { RegistryCacheConfig } from '../config/types.ts';
import { FailureReason, IngestError, type Stage } from '../failures/index.ts';
import { isTransientPostgresError, type Sql } from '../postgres/index.ts';
import { TtlCache } from './cache.ts';
import { RegistryUnavailableError } from './errors.ts';
import { findRoute } from './repository.ts';
import { formatRouteKey } from './routeKey.ts';
import type { RouteKey, RouteRecord } from './types.ts';

/** How functions read the registry. */
type RouteLookup = {
  /** The route for a key, or undefined when none is registered. Throws RegistryUnavailableError. */
  lookup(key: RouteKey, stage: Stage): Promise<RouteRecord | undefined>;
  /** The route for a key; a key with no route is a permanent `unknown_route` failure. */
  require(key: RouteKey, stage: Stage): Promise<RouteRecord>;
};

/** Registry reads through a per-process cache; changes are seen within `ttlMs`. */
function createRouteLookup(sql: Sql, cache: RegistryCacheConfig): RouteLookup {
  const routes = new TtlCache<RouteRecord>(cache);
  const lookup = async (key: RouteKey, stage: Stage): Promise<RouteRecord | undefined> => {
    try {
      return await routes.get(formatRouteKey(key), () => findRoute(sql, key));
    } catch (error) {
      if (isTransientPostgresError(error)) throw new RegistryUnavailableError(stage, { cause: error });
      throw error;
    }
  };
  return {
    lookup,
    async require(key, stage) {
      const route = await lookup(key, stage);
      if (route !== undefined) return route;
      throw new IngestError(stage, FailureReason.unknownRoute, `no route registered for ${formatRouteKey(key)}`, {
        retryable: false,
      });
    },
  };
}

export { createRouteLookup };
export type { RouteLookup };
