export { ConfigError } from './errors.ts';
export { loadBridgeConfig, loadCliConfig, loadFunctionConfig } from './load.ts';
export type * from './types.ts';
