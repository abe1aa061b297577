import type { LOADERS } from './loaders.ts';

/** The processes that read configuration, in the order the configuration reference lists them. */
const READERS = ['bridge', 'validate', 'route', 'sink-write', 'registry-api', 'dlq-replay', 'console', 'CLI', 'npm start'] as const;

type Reader = (typeof READERS)[number];

/**
 * Which processes call each loader on their own environment. Typed by LOADERS, so a new loader does
 * not compile until its readers are named; a variable's readers are those of every loader reading it.
 */
const LOADER_READERS: Readonly<Record<keyof typeof LOADERS, readonly Reader[]>> = {
  loadBridgeConfig: ['bridge', 'CLI', 'npm start'], // the CLI: `ingest nats setup` creates the bridge's consumer
  loadCliConfig: ['CLI', 'npm start'],
  loadConsoleConfig: ['console'],
  loadFunctionConfig: ['validate', 'route', 'sink-write'],
  loadHttpSinkPolicy: ['registry-api', 'console', 'CLI', 'npm start'],
  loadLauncherConfig: ['npm start'], // and `npm run services:*`, for LOCAL_DATA_DIR
  loadLocalConfig: ['npm start'],
  loadRegistryApiConfig: ['registry-api', 'npm start'],
  loadRegistryClientConfig: ['CLI'],
  loadReplayConfig: ['dlq-replay', 'CLI'],
  loadSinkConfig: ['sink-write'],
};

export { LOADER_READERS, READERS };
export type { Reader };
