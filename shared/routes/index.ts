export { TtlCache } from './cache.ts';
export { RegistryUnavailableError } from './errors.ts';
export { createRouteLookup, createRouteLookupOver } from './lookup.ts';
export type { RegistryReads, RouteLookup } from './lookup.ts';
export { findRoute, findRouteBySubject, findWriterVersion, listRoutes } from './repository.ts';
export type { WriterKey } from './repository.ts';
export type { RouteRecord, SchemaVersionRef } from './types.ts';
