export { createProducer, encodeEvent } from './producer.ts';
export type { EventValue, Producer } from './producer.ts';
export { sampleEvent } from './sampleEvent.ts';
export { cloudEventAttributes, cloudEventMessage } from './cloudEvents.ts';
export type { CloudEventAttributeInput, CloudEventOptions } from './cloudEvents.ts';
