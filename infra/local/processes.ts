import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { canConnect } from './probe.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type ManagedProcess = {
  readonly name: string;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: a crash, for fault tests. */
  kill(): Promise<void>;
};

type Env = Record<string, string | undefined>;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function manage(name: string, child: ChildProcess): ManagedProcess {
  // Each child leads its own process group, so signals reach whatever it spawned too.
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

function launch(name: string, command: string, args: string[], env: Env, logFile: string | undefined): ManagedProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: logFile === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  if (logFile !== undefined) {
    mkdirSync(dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  return manage(name, child);
}

type OfflineOptions = {
  readonly stage: string;
  readonly lambdaPort: number;
  readonly httpPort: number;
  /** Environment of the functions: DATABASE_URL and friends. */
  readonly env: Env;
  readonly logFile: string;
  readonly startTimeoutMs?: number;
};

/**
 * Starts serverless-offline (osls) serving the stage functions on `lambdaPort`, and resolves
 * once the port answers. Functions run in-process, so their environment is this child's.
 */
async function startOffline(options: OfflineOptions): Promise<ManagedProcess> {
  const offline = launch(
    'serverless-offline',
    process.execPath,
    [
      `${ROOT}node_modules/osls/bin/serverless.js`,
      'offline',
      '--stage',
      options.stage,
      '--lambdaPort',
      String(options.lambdaPort),
      '--httpPort',
      String(options.httpPort),
    ],
    {
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...options.env,
    },
    options.logFile,
  );
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  // The Lambda port opens before the HTTP one (the registry API); wait for both.
  while (!(await canConnect('127.0.0.1', options.lambdaPort, 500)) || !(await canConnect('127.0.0.1', options.httpPort, 500))) {
    if (offline.child.exitCode !== null) {
      throw new Error(`serverless-offline exited with code ${offline.child.exitCode}; see ${options.logFile}`);
    }
    if (Date.now() > deadline) {
      await offline.stop();
      throw new Error(`serverless-offline did not listen on ${options.lambdaPort} and ${options.httpPort} in time; see ${options.logFile}`);
    }
    await sleep(250);
  }
  return offline;
}

/** Starts the bridge as its own process, exactly as it runs in production. */
function startBridge(env: Env, logFile?: string): ManagedProcess {
  return launch('bridge', process.execPath, ['--import', 'tsx', `${ROOT}bridge/main.ts`], env, logFile);
}

export { launch as launchProcess, startBridge, startOffline };
export type { ManagedProcess, OfflineOptions };
