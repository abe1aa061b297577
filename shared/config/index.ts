import type { Env } from './env.ts';
import { LOADERS } from './loaders.ts';
import { reportUnknownVariablesOnce } from './startupWarnings.ts';

export { ConfigError } from './errors.ts';
export type * from './types.ts';
export type { RegistryApiConfig } from './registryApi.ts';
export type { ReplayConfig } from './replay.ts';
export type { ConsoleConfig } from './console.ts';
export type { LauncherConfig } from './local.ts';
export type { HttpSinkAuthHeader, HttpSinkConfig, HttpSinkPolicy, NatsSinkConfig, SinkConfig } from './sinks.ts';
export { closestVariable, findUnknownVariables, type UnknownVariable } from './unknownVariables.ts';
export { knownVariables, planePrefixes, TEST_ONLY_VARIABLES } from './knownVariables.ts';
export { reportUnknownVariablesOnce, type UnknownVariableReport } from './startupWarnings.ts';
export { VARIABLE_DESCRIPTIONS, type VariableDescription } from './descriptions.ts';
export { describeConfiguration, type VariableGroup, type VariableReference } from './reference.ts';

/**
 * A loader as exported: called on the process's own environment (no argument), it first reports
 * unknown variables, once per process, so every entry point (bridge, functions' cold start, CLI,
 * launcher) warns without a call of its own. Tests pass an environment and see no warning.
 */
function atStart<T>(load: (env?: Env) => T): (env?: Env) => T {
  return (env) => {
    if (env === undefined) reportUnknownVariablesOnce();
    return load(env);
  };
}

export const loadBridgeConfig = atStart(LOADERS.loadBridgeConfig);
export const loadCliConfig = atStart(LOADERS.loadCliConfig);
export const loadConsoleConfig = atStart(LOADERS.loadConsoleConfig);
export const loadFunctionConfig = atStart(LOADERS.loadFunctionConfig);
export const loadHttpSinkPolicy = atStart(LOADERS.loadHttpSinkPolicy);
export const loadLauncherConfig = atStart(LOADERS.loadLauncherConfig);
export const loadLocalConfig = atStart(LOADERS.loadLocalConfig);
export const loadRegistryApiConfig = atStart(LOADERS.loadRegistryApiConfig);
export const loadRegistryClientConfig = atStart(LOADERS.loadRegistryClientConfig);
export const loadReplayConfig = atStart(LOADERS.loadReplayConfig);
export const loadSinkConfig = atStart(LOADERS.loadSinkConfig);
export type { SinkIsolationConfig } from './sinks.ts';
export type { RegistryCacheConfig } from './types.ts';
