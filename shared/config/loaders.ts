import { loadConsoleConfig } from './console.ts';
import { loadBridgeConfig, loadCliConfig, loadFunctionConfig, loadLocalConfig } from './load.ts';
import { loadRegistryApiConfig, loadRegistryClientConfig } from './registryApi.ts';
import { loadLauncherConfig } from './local.ts';
import { loadReplayConfig } from './replay.ts';
import { loadHttpSinkPolicy, loadSinkConfig } from './sinks.ts';

/**
 * Every configuration loader, in one place: index.ts exports exactly these, and the variables
 * they read are the plane's known variables (knownVariables.ts). A new loader goes here; a new
 * variable in an existing loader needs nothing else.
 */
const LOADERS = {
  loadBridgeConfig,
  loadCliConfig,
  loadConsoleConfig,
  loadFunctionConfig,
  loadHttpSinkPolicy,
  loadLauncherConfig,
  loadLocalConfig,
  loadRegistryApiConfig,
  loadRegistryClientConfig,
  loadReplayConfig,
  loadSinkConfig,
} as const;

export { LOADERS };
