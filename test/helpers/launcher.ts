import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadBridgeConfig, loadCliConfig } from '../../shared/config/index.ts';
import { connectNats } from '../../shared/nats/index.ts';
import { createTestDatabase } from './database.ts';
import { freePort, runStreamsEnv, uniqueRunId } from './names.ts';
import { exampleDocumentFor } from './plane.ts';
import { killAll, processTree } from './processTree.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START = join(ROOT, 'scripts/start.ts');

type Env = Record<string, string>;

/** One `npm start` process (scripts/start.ts run as npm runs it, minus npm), with its output. */
type LauncherRun = {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the output once it matches `pattern`; rejects when the launcher exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) once the launcher has exited. */
  exited(timeoutMs?: number): Promise<number | NodeJS.Signals>;
};

function runLauncher(env: Env, args: readonly string[] = []): LauncherRun {
  const child = spawn(process.execPath, ['--import', 'tsx', START, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
  let done = false;
  void exit.then(() => (done = true));
  return {
    child,
    output: () => output,
    async waitFor(pattern, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (done) throw new Error(`the launcher exited before printing ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the launcher did not print ${pattern} within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return output;
    },
    async exited(timeoutMs = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the launcher did not exit within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Everything one launcher test needs of its own: a database, streams and subjects, free ports, a
 * data directory and a registry directory holding the example route under this run's subjects.
 */
type LauncherSandbox = {
  readonly runId: string;
  readonly env: Env;
  readonly ports: { readonly lambda: number; readonly http: number };
  readonly dataDir: string;
  readonly registryDir: string;
  readonly databaseUrl: string;
  /** The example route's subject: `<runId>.cpu.usage.v1`. */
  readonly subject: string;
  start(overrides?: Env, args?: readonly string[]): LauncherRun;
  /** Every process a launcher started, and theirs (read before killing it). */
  tree(run: LauncherRun): Promise<number[]>;
  close(): Promise<void>;
};

async function createLauncherSandbox(): Promise<LauncherSandbox> {
  const runId = uniqueRunId();
  const database = await createTestDatabase(`ingest_${runId}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'ingest-launcher-data-'));
  const registryDir = await mkdtemp(join(tmpdir(), 'ingest-launcher-registry-'));
  await writeFile(join(registryDir, 'metrics.xreg.json'), JSON.stringify(await exampleDocumentFor(runId, 'raw'), null, 2));
  const ports = { lambda: await freePort(), http: await freePort() };
  const base = loadCliConfig();
  const env: Env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    LOG_LEVEL: 'warn',
    NATS_URL: base.nats.url,
    DATABASE_URL: database.url,
    ...runStreamsEnv(runId),
    OFFLINE_LAMBDA_PORT: String(ports.lambda),
    OFFLINE_HTTP_PORT: String(ports.http),
    BRIDGE_HTTP_PORT: String(await freePort()),
    STAGE: 'test',
    LOCAL_DATA_DIR: dataDir,
    LOCAL_REGISTRY_DIR: registryDir,
    DRAIN_TIMEOUT_MS: '2000',
  };
  const runs: LauncherRun[] = [];
  const trees = new Set<number>();
  return {
    runId,
    env,
    ports,
    dataDir,
    registryDir,
    databaseUrl: database.url,
    subject: `${runId}.cpu.usage.v1`,
    start(overrides = {}, args = []) {
      const run = runLauncher({ ...env, ...overrides }, args);
      runs.push(run);
      return run;
    },
    async tree(run) {
      const pids = await processTree(run.child.pid!);
      for (const pid of pids) trees.add(pid);
      return pids;
    },
    async close() {
      // Whatever a failed assertion left running goes first; then this run's streams, database and files.
      killAll([...runs.map((run) => run.child.pid!), ...trees]);
      // Every stream named after this run: ingest, dead letters, advisories, and any the plane adds later.
      const config = loadBridgeConfig(env);
      const nc = await connectNats(config.nats.url, `ingest-test-${runId}`, config.nats.security);
      const jsm = await jetstreamManager(nc);
      for await (const name of jsm.streams.names()) {
        if (name.includes(runId)) await jsm.streams.delete(name).catch(() => false);
      }
      await nc.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(registryDir, { recursive: true, force: true });
    },
  };
}

export { createLauncherSandbox, runLauncher };
export type { LauncherRun, LauncherSandbox };
