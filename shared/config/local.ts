import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Env, EnvReader } from './env.ts';
import { ConfigError } from './errors.ts';
import { loadLocalConfig } from './load.ts';
import type { LocalConfig } from './types.ts';

/** `npm start` as a whole: where serverless-offline listens, and the launcher's own directories. */
type LauncherConfig = LocalConfig & {
  /**
   * `LOCAL_DATA_DIR`: the launcher's lock file (`plane.json`), the logs of what it starts, and the
   * data of NATS/PostgreSQL when it has to start them. Default: the repository's git-ignored `.local/`.
   */
  readonly dataDir: string;
  /** `LOCAL_REGISTRY_DIR`: the `*.xreg.json` documents seeded at start. Default: `infra/registry/`. */
  readonly registryDir: string;
};

type PathKind = 'directory' | 'missing' | 'other';

function pathKind(path: string): PathKind {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

/** Configuration of the local launcher (`npm start`), checked at once so a typo fails before anything starts. */
function loadLauncherConfig(env: Env = process.env): LauncherConfig {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const reader = new EnvReader(env);
  // The ports and stage are read by loadLocalConfig; its problems are reported with ours, all at once.
  let local: LocalConfig | undefined;
  try {
    local = loadLocalConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) reader.check(false, problem);
  }
  if (local !== undefined) {
    reader.check(
      local.offlineLambdaPort !== local.offlineHttpPort,
      `OFFLINE_LAMBDA_PORT and OFFLINE_HTTP_PORT must differ (both are ${local.offlineHttpPort})`,
    );
  }
  // Relative paths are taken from where the command runs, as a shell user would expect.
  const dataDir = resolve(reader.string('LOCAL_DATA_DIR', resolve(root, '.local')));
  const registryDir = resolve(reader.string('LOCAL_REGISTRY_DIR', resolve(root, 'infra/registry')));
  reader.check(pathKind(dataDir) !== 'other', `LOCAL_DATA_DIR "${dataDir}" exists and is not a directory`);
  reader.check(pathKind(registryDir) === 'directory', `LOCAL_REGISTRY_DIR "${registryDir}" is not a directory`);
  reader.done();
  return { ...local!, dataDir, registryDir };
}

export { loadLauncherConfig };
export type { LauncherConfig };
