export { createFunctionRuntime } from './functionRuntime.ts';
export type { FunctionRuntime } from './functionRuntime.ts';
export { createReplayRuntime } from './dlqReplay.ts';
export { registryApiDeps } from './registryApi.ts';
