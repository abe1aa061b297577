import { fileURLToPath } from 'node:url';
import { launchProcess, type ManagedProcess } from '../infra/local/processes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Spawns a node child the way infra/local/processes.ts does (own process group, logs to a file,
 * SIGTERM then SIGKILL), so the plane's cleanup can stop it like the bridge it replaces.
 */
function spawnNode(name: string, args: readonly string[], env: Readonly<Record<string, string>>, logFile: string): ManagedProcess {
  return launchProcess(name, process.execPath, [...args], env, logFile);
}

/**
 * A bridge child with the real bridge's environment: the in-process one (always spawned here), or
 * either one from a bundle (`--bundle`). BENCH_BRIDGE_NODE_ARGS (e.g. "--max-old-space-size=96")
 * tries V8 flags on this bridge alone; NODE_OPTIONS would reach serverless-offline too.
 */
function startBridgeChild(name: string, script: string, env: Readonly<Record<string, string>>, logFile: string): ManagedProcess {
  const nodeArgs = (env.BENCH_BRIDGE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  // Bundles run as production runs them (infra/aws/Dockerfile); sources need tsx.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : ['--enable-source-maps'];
  return spawnNode(name, [...nodeArgs, ...loader, script], env, logFile);
}

export { ROOT, spawnNode, startBridgeChild };
