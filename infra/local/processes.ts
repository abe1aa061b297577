import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describePortHolders, isPortOwnedBy } from './ports.ts';
import { tailFile } from './probe.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXIT_WITH_LAUNCHER = pathToFileURL(fileURLToPath(new URL('./exitWithLauncher.mjs', import.meta.url)));
const DEFAULT_GRACE_MS = 10_000;

type ManagedProcess = {
  readonly name: string;
  /** The process itself (it leads its own process group, which its descendants share). */
  readonly child: ChildProcess;
  /** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves when the process is gone and its group swept. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to its process group at once: a crash, for fault tests. */
  kill(): Promise<void>;
};

type Env = Record<string, string | undefined>;

type LaunchOptions = {
  /**
   * How long the process gets after SIGTERM when its launcher has died (see exitWithLauncher.mjs)
   * before its group is killed; `stop()` takes its own grace time.
   */
  readonly graceMs?: number;
};

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nobody is left in the group.
  }
}

function manage(name: string, child: ChildProcess): ManagedProcess {
  // Each child leads its own process group, so a signal to the group reaches whatever it spawned.
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (running()) signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
      // A grandchild that outlived its parent (ignored SIGTERM, or was mid-start) goes now.
      signalGroup(child.pid, 'SIGKILL');
    },
    async kill() {
      signalGroup(child.pid, 'SIGKILL');
      await exited(child);
    },
  };
}

/**
 * Starts `command` in a process group of its own, with a pipe on its stdin that only this process
 * holds: node children get exitWithLauncher.mjs preloaded, which stops their group when that pipe
 * closes, i.e. when this process ends by any signal, SIGKILL included. Output goes straight to
 * `logFile` (not through this process), so what a child says while stopping is kept too.
 */
function launch(name: string, command: string, args: readonly string[], env: Env, logFile: string | undefined, options: LaunchOptions = {}): ManagedProcess {
  let stdio: StdioOptions = ['pipe', 'inherit', 'inherit'];
  let logFd: number | undefined;
  if (logFile !== undefined) {
    mkdirSync(dirname(logFile), { recursive: true });
    logFd = openSync(logFile, 'a');
    stdio = ['pipe', logFd, logFd];
  }
  const preload = new URL(EXIT_WITH_LAUNCHER);
  preload.searchParams.set('graceMs', String(options.graceMs ?? DEFAULT_GRACE_MS));
  const argv = command === process.execPath ? ['--import', preload.href, ...args] : [...args];
  let child: ChildProcess;
  try {
    child = spawn(command, argv, { cwd: ROOT, env: env as NodeJS.ProcessEnv, detached: true, stdio });
  } finally {
    // The child has its own copy of the descriptor.
    if (logFd !== undefined) closeSync(logFd);
  }
  // Nothing is ever written to the lifeline; a child that exits early must not make it throw EPIPE here.
  child.stdin?.on('error', () => {});
  return manage(name, child);
}

/** The process, with `folder` deleted once it has stopped or been killed. */
function removingOnExit(managed: ManagedProcess, folder: string): ManagedProcess {
  const remove = (): Promise<void> => rm(folder, { recursive: true, force: true });
  return {
    name: managed.name,
    child: managed.child,
    stop: (graceMs) => managed.stop(graceMs).then(remove),
    kill: () => managed.kill().then(remove),
  };
}

type OfflineOptions = {
  readonly stage: string;
  readonly lambdaPort: number;
  readonly httpPort: number;
  /** Environment of the functions: DATABASE_URL and friends. */
  readonly env: Env;
  readonly logFile: string;
  readonly startTimeoutMs?: number;
  /** See LaunchOptions.graceMs. */
  readonly graceMs?: number;
};

/** Why serverless-offline is not up, with what holds its ports and the end of its log. */
async function offlineFailure(summary: string, options: OfflineOptions): Promise<Error> {
  const holders = (await Promise.all([options.lambdaPort, options.httpPort].map((port) => describePortHolders(port)))).filter((line) => line !== undefined);
  const held = holders.length > 0 ? `\n${holders.join('\n')}` : '';
  return new Error(`${summary}${held}\nlast lines of ${options.logFile}:\n${await tailFile(options.logFile, 8)}`);
}

/**
 * Starts serverless-offline (osls) serving the stage functions on `lambdaPort` and the registry
 * API on `httpPort`, and resolves once both ports are held by this very serverless-offline or its
 * descendants — not merely answering: a plane left running on the same ports would answer too,
 * with another database and token. Functions run in-process, so their environment is this child's.
 */
async function startOffline(options: OfflineOptions): Promise<ManagedProcess> {
  // serverless-esbuild empties its work folder when it starts and bundles into it: a folder per
  // instance (its Lambda port is unique among live ones) keeps planes started side by side on one
  // checkout (the tests) from deleting each other's bundles. It goes when the instance stops.
  const workFolder = `.esbuild/offline-${options.lambdaPort}`;
  const offline = removingOnExit(
    launch(
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
        ESBUILD_WORK_FOLDER: workFolder,
      },
      options.logFile,
      { graceMs: options.graceMs },
    ),
    join(ROOT, workFolder),
  );
  const pid = offline.child.pid!;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  try {
    for (;;) {
      const owned = await Promise.all([options.lambdaPort, options.httpPort].map((port) => isPortOwnedBy(port, pid)));
      // Checked after the ports: a child that bound them and then died must not count as up.
      const { exitCode, signalCode } = offline.child;
      if (exitCode !== null || signalCode !== null) {
        throw await offlineFailure(
          `serverless-offline exited (${signalCode ?? `code ${exitCode}`}) before it listened on ${options.lambdaPort} and ${options.httpPort}`,
          options,
        );
      }
      if (owned.every(Boolean)) return offline;
      if (Date.now() > deadline) {
        throw await offlineFailure(
          `serverless-offline (pid ${pid}) did not listen on ${options.lambdaPort} and ${options.httpPort} within ${Math.round((options.startTimeoutMs ?? 120_000) / 1000)} s`,
          options,
        );
      }
      await sleep(250);
    }
  } catch (error) {
    // Nothing of a start that failed may stay behind.
    await offline.stop(2000);
    throw error;
  }
}

/** Starts the bridge as its own process, exactly as it runs in production. */
function startBridge(env: Env, logFile?: string, options: LaunchOptions = {}): ManagedProcess {
  return launch('bridge', process.execPath, ['--import', 'tsx', `${ROOT}bridge/main.ts`], env, logFile, options);
}

export { launch as launchProcess, startBridge, startOffline };
export type { LaunchOptions, ManagedProcess, OfflineOptions };
