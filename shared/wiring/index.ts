export { createFunctionRuntime } from './functionRuntime.ts';
export type { FunctionRuntime } from './functionRuntime.ts';
