export { formatRouteKey, isVersion, routeKeyFromSubject } from './routeKey.ts';
export type { RouteKey } from './routeKey.ts';
export { isPublishSubject, isStreamOrConsumerName, isSubjectFilter, subjectMatches } from './subjects.ts';
export { matchSchemaXid, schemaXid, versionXid } from './xids.ts';
export type { SchemaReference } from './xids.ts';
export { effectivePort, isHostAllowed, isHostPattern, parseHostPattern } from './hosts.ts';
export type { HostPattern } from './hosts.ts';
export { isLoopbackHost } from './loopback.ts';
