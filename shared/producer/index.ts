export { createProducer, encodeEvent } from './producer.ts';
export type { EventValue, Producer } from './producer.ts';
export { sampleEvent } from './sampleEvent.ts';
