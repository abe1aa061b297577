import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl } from '../../shared/logging/index.ts';
// Only hosts on this machine may have services started for them: a remote host is someone else's to run.
import { isLoopbackHost } from '../../shared/names/index.ts';

type Endpoint = { protocol: string; host: string; port: number };

/** Host and port of a service URL; `defaultPort` stands in when the URL names none. */
function parseEndpoint(url: string, defaultPort: number): Endpoint {
  const parsed = new URL(url);
  // WHATWG URLs keep the brackets around IPv6 literals; sockets and comparisons want them off.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { protocol: parsed.protocol, host: host === '' ? 'localhost' : host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}

/** True when something accepts a TCP connection at host:port within `timeoutMs`. */
function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const finish = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

type WaitOptions = {
  timeoutMs: number;
  intervalMs?: number;
  /** Returns a reason to stop waiting early, e.g. when the process that should answer has exited. */
  giveUpIf?: () => string | undefined;
};

type WaitResult = { ok: true } | { ok: false; reason: string };

/** Polls `check` until it returns true, the time runs out, or `giveUpIf` says there is no point. */
async function waitUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<WaitResult> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await check()) return { ok: true };
    } catch (error) {
      lastError = errorMessage(error);
    }
    const gaveUp = options.giveUpIf?.();
    if (gaveUp !== undefined) return { ok: false, reason: gaveUp };
    if (Date.now() >= deadline) {
      return { ok: false, reason: `no answer within ${options.timeoutMs / 1000} s${lastError === '' ? '' : ` (last error: ${lastError})`}` };
    }
    await sleep(options.intervalMs ?? 200);
  }
}

type BinarySearch = {
  /** The PATH to search; defaults to this process's. */
  pathEnv?: string | undefined;
  /** Searched after PATH, in order. */
  extraDirs?: readonly string[];
};

type BinaryLookup = { path: string | undefined; searched: string[] };

/** The first executable called `name` in PATH and then in `extraDirs`, with every directory looked in. */
async function findBinary(name: string, search: BinarySearch = {}): Promise<BinaryLookup> {
  const pathEnv = 'pathEnv' in search ? search.pathEnv : process.env.PATH;
  const dirs = [...(pathEnv ?? '').split(delimiter).filter((dir) => dir !== ''), ...(search.extraDirs ?? [])];
  const searched = [...new Set(dirs)];
  for (const dir of searched) {
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      return { path: candidate, searched };
    } catch {
      // Not here; keep looking.
    }
  }
  return { path: undefined, searched };
}

/** The last `maxLines` lines of a log file, or a note that there is none, for error messages. */
async function tailFile(path: string, maxLines = 15): Promise<string> {
  try {
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    return lines.slice(-maxLines).join('\n');
  } catch {
    return `(no log at ${path})`;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The argv of a live process (Linux /proc), so a stale pid file cannot make us signal an unrelated process. */
async function processCommandLine(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part !== '');
  } catch {
    return undefined;
  }
}

type RunOptions = {
  cwd?: string;
  timeoutMs?: number;
  /** Run as this OS user via runuser; only when we are root, since only root may switch users freely. */
  asUser?: string | undefined;
};

type RunResult = { stdout: string; stderr: string };

/** Runs a command to completion; a failure carries its output so the caller can show why. */
function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [command, argv] = options.asUser === undefined ? [file, [...args]] : ['runuser', ['-u', options.asUser, '--', file, ...args]];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      argv,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const output = `${stderr}${stdout}`.trim();
        reject(new Error(`${[command, ...argv].join(' ')} failed: ${output === '' ? error.message : output}`, { cause: error }));
      },
    );
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A service the local scripts started, stopped by its PID. */
type StartedService = { kind: 'nats' | 'postgres'; pid: number; dataDir: string; logFile: string };

export {
  type Endpoint,
  type BinarySearch,
  type BinaryLookup,
  parseEndpoint,
  isLoopbackHost,
  redactUrl,
  canConnect,
  waitUntil,
  findBinary,
  tailFile,
  isProcessAlive,
  processCommandLine,
  runCommand,
  errorMessage,
};
export type { StartedService };
