export { createRegistryService, loadRegistry } from './loadRegistry.ts';
export { sampleEvent } from './sampleEvent.ts';
export { migrateRegistry } from './migrateRegistry.ts';
