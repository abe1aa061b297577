export { connectNats } from './connect.ts';
export type { NatsConnection } from './connect.ts';
export { headersToMap, mapToHeaders } from './headers.ts';
export type { HeaderMap } from './headers.ts';
export { createProducer, encodeEvent } from './producer.ts';
export type { EventValue, Producer } from './producer.ts';
export { advisoryTopology, consumerSettingsFor, ensureTopology } from './provision.ts';
export type { ConsumerSettings } from './provision.ts';
export { isPublishSubject, isStreamOrConsumerName, isSubjectFilter, subjectMatches } from './subjects.ts';
