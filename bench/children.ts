import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ManagedProcess } from '../infra/local/processes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Spawns a node child the way infra/local/processes.ts does (own process group, logs to a file,
 * SIGTERM then SIGKILL), so the plane's cleanup can stop it like the bridge it replaces.
 */
function spawnNode(name: string, args: readonly string[], env: Readonly<Record<string, string>>, logFile: string): ManagedProcess {
  const child = spawn(process.execPath, [...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const signal = (sig: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  return {
    name,
    child,
    async stop(graceMs = 10_000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
    async kill() {
      signal('SIGKILL');
      await exited(child);
    },
  };
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
