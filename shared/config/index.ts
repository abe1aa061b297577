export { ConfigError } from './errors.ts';
export { loadBridgeConfig, loadCliConfig, loadFunctionConfig, loadLocalConfig } from './load.ts';
export type * from './types.ts';
