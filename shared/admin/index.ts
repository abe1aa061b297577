export { loadRegistry } from './loadRegistry.ts';
export type { LoadRegistryOptions } from './loadRegistry.ts';
export { sampleEvent } from './sampleEvent.ts';
