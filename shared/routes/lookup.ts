import type { RegistryCacheConfig } from '../config/index.ts';
import { FailureReason, IngestError, type Stage } from '../failures/index.ts';
import { isTransientPostgresError, type Sql } from '../postgres/index.ts';
import { TtlCache } from './cache.ts';
import { RegistryUnavailableError } from './errors.ts';
import { findRoute, findWriterVersion, type WriterKey } from './repository.ts';
import { formatRouteKey } from '../names/index.ts';
import type { RouteRecord, SchemaVersionRef } from './types.ts';
import type { RouteKey } from '../names/index.ts';

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
 * The two reads a route lookup needs from wherever the registry is stored. PostgreSQL's are in
 * repository.ts; a unit test can give the same lookup an in-memory table.
 */
type RegistryReads = {
  /** The route for a key, or undefined when no message definition names it. */
  route(key: RouteKey): Promise<RouteRecord | undefined>;
  /** A writer version within one schema resource, or undefined when it has none by that key. */
  writer(schemaXid: string, writer: WriterKey): Promise<SchemaVersionRef | undefined>;
};

/**
 * Registry reads through per-process caches. Changes are seen within `ttlMs`; keys that do not
 * exist are remembered for `negativeTtlMs`, so a flood of bad events cannot hammer the database.
 */
function createRouteLookup(sql: Sql, cache: RegistryCacheConfig): RouteLookup {
  return createRouteLookupOver({ route: (key) => findRoute(sql, key), writer: (schemaXid, writer) => findWriterVersion(sql, schemaXid, writer) }, cache);
}

/** The lookup's rules (caching, unknown route, unknown writer, outage) over any `reads`. */
function createRouteLookupOver(reads: RegistryReads, cache: RegistryCacheConfig): RouteLookup {
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
  // The cache keys its entries by the key's `type.version` spelling; nothing else sees it.
  const lookup = (key: RouteKey, stage: Stage): Promise<RouteRecord | undefined> =>
    guarded(stage, () => routes.get(formatRouteKey(key), () => reads.route(key)));
  return {
    lookup,
    async require(key, stage) {
      const route = await lookup(key, stage);
      if (route !== undefined) return route;
      throw new IngestError(stage, FailureReason.unknownRoute, `no route registered for ${formatRouteKey(key)}`, { retryable: false });
    },
    async writer(route, writer, stage) {
      const cacheKey = `${route.schema.schemaXid}|${'numericId' in writer ? `n${writer.numericId}` : `f${writer.fingerprint}`}`;
      const found = await guarded(stage, () => writers.get(cacheKey, () => reads.writer(route.schema.schemaXid, writer)));
      if (found !== undefined) return found;
      throw new IngestError(stage, FailureReason.unknownSchemaId, `${describeWriter(writer)} is not a version of ${route.schema.schemaXid}`, {
        retryable: false,
      });
    },
  };
}

export { createRouteLookup, createRouteLookupOver };
export type { RegistryReads, RouteLookup };
