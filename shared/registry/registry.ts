import type { RegistryCacheConfig } from '../config/types.ts';
import type { Stage } from '../failures/index.ts';
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
};

/** Registry reads through a per-process cache; changes are seen within `ttlMs`. */
function createRouteLookup(sql: Sql, cache: RegistryCacheConfig): RouteLookup {
  const routes = new TtlCache<RouteRecord>(cache);
  return {
    async lookup(key, stage) {
      try {
        return await routes.get(formatRouteKey(key), () => findRoute(sql, key));
      } catch (error) {
        if (isTransientPostgresError(error)) throw new RegistryUnavailableError(stage, { cause: error });
        throw error;
      }
    },
  };
}

export { createRouteLookup };
export type { RouteLookup };
