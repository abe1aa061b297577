export { connectNats } from './connect.ts';
export type { NatsConnection } from './connect.ts';
export { headersToMap, mapToHeaders } from './headers.ts';
export type { HeaderMap } from './headers.ts';
export { findHeaderValue, hasHeader, RAW_HEADERS_UNAVAILABLE, rawHeaderBlock } from './rawHeaders.ts';
export { advisoryTopology, consumerSettingsFor, ensureTopology } from './provision.ts';
export type { ConsumerSettings } from './provision.ts';
