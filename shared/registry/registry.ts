import type { RegistryCacheConfig } from '../config/types.ts';
import { FailureReason, IngestError, type Stage } from '../failures/index.ts';
import { isTransientPostgresError, type Sql } from '../postgres/index.ts';
import { TtlCache } from './cache.ts';
import { RegistryUnavailableError } from './errors.ts';
import { findRouteBySubject, findWriterVersion, type WriterKey } from './repository.ts';
import { formatRouteKey } from './routeKey.ts';
import type { RouteKey, RouteRecord, SchemaVersionRef } from './types.ts';

/** How functions read the registry. */
type RouteLookup = {
  /** The route for a key, or undefined when none is registered. Throws RegistryUnavailableError. */
  lookup(key: RouteKey, stage: Stage): Promise<RouteRecord | undefined>;
  /** The route for a key; a key with no route is a permanent `unknown_route` failure. */
  require(key: RouteKey, stage: Stage): Promise<RouteRecord>;
  /**
   * The writer schema a frame names, within the route's schema; an id or fingerprint the
   * registry does not know is a permanent `unknown_schema_id` failure.
   */
  writer(route: RouteRecord, writer: WriterKey, stage: Stage): Promise<SchemaVersionRef>;
};

function describeWriter(writer: WriterKey): string {
  return 'numericId' in writer ? `schema id ${writer.numericId}` : `fingerprint ${writer.fingerprint}`;
}

/**
 * Registry reads through per-process caches. Changes are seen within `ttlMs`; keys that do not
 * exist are remembered for `negativeTtlMs`, so a flood of bad events cannot hammer the database.
 */
function createRouteLookup(sql: Sql, cache: RegistryCacheConfig): RouteLookup {
  const routes = new TtlCache<RouteRecord>(cache);
  const writers = new TtlCache<SchemaVersionRef>(cache);
  const guarded = async <T>(stage: Stage, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      if (isTransientPostgresError(error)) throw new RegistryUnavailableError(stage, { cause: error });
      throw error;
    }
  };
  const lookup = (key: RouteKey, stage: Stage): Promise<RouteRecord | undefined> =>
    guarded(stage, () => routes.get(formatRouteKey(key), () => findRouteBySubject(sql, formatRouteKey(key))));
  return {
    lookup,
    async require(key, stage) {
      const route = await lookup(key, stage);
      if (route !== undefined) return route;
      throw new IngestError(stage, FailureReason.unknownRoute, `no route registered for ${formatRouteKey(key)}`, { retryable: false });
    },
    async writer(route, writer, stage) {
      const cacheKey = `${route.schema.schemaXid}|${'numericId' in writer ? `n${writer.numericId}` : `f${writer.fingerprint}`}`;
      const found = await guarded(stage, () => writers.get(cacheKey, () => findWriterVersion(sql, route.schema.schemaXid, writer)));
      if (found !== undefined) return found;
      throw new IngestError(stage, FailureReason.unknownSchemaId, `${describeWriter(writer)} is not a version of ${route.schema.schemaXid}`, {
        retryable: false,
      });
    },
  };
}

export { createRouteLookup };
export type { RouteLookup };
