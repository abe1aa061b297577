export { ConfigError } from './errors.ts';
export { loadBridgeConfig, loadCliConfig, loadFunctionConfig, loadLocalConfig } from './load.ts';
export type * from './types.ts';
export { loadRegistryApiConfig, loadRegistryClientConfig } from './registryApi.ts';
export type { RegistryApiConfig } from './registryApi.ts';
export { loadReplayConfig } from './replay.ts';
export type { ReplayConfig } from './replay.ts';
export { loadHttpSinkPolicy, loadSinkConfig, type HttpSinkAuthHeader, type HttpSinkConfig, type HttpSinkPolicy, type NatsSinkConfig, type SinkConfig } from './sinks.ts';
export { loadLauncherConfig, type LauncherConfig } from './local.ts';
