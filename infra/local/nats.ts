import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import { missingBinaryError, ServiceUnavailableError } from './errors.ts';
import {
  type BinarySearch,
  canConnect,
  errorMessage,
  findBinary,
  isProcessAlive,
  parseEndpoint,
  processCommandLine,
  redactUrl,
  tailFile,
  waitUntil,
} from './probe.ts';
import { isLoopbackHost } from '../../shared/names/index.ts';
import type { StartedService } from './probe.ts';

const NATS_DEFAULT_PORT = 4222;
// Debian puts nats-server in /usr/sbin, which is not on a normal user's PATH.
const NATS_FALLBACK_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];
const START_TIMEOUT_MS = 15_000;

type NatsFiles = { storeDir: string; logFile: string; pidFile: string };

function natsFiles(dataDir: string): NatsFiles {
  return { storeDir: join(dataDir, 'nats'), logFile: join(dataDir, 'nats.log'), pidFile: join(dataDir, 'nats.pid') };
}

/** nats.js does not read credentials out of a server URL, so lift them into connection options. */
function connectionOptions(url: string): NodeConnectionOptions {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const options: NodeConnectionOptions = {
    servers: parsed.toString(),
    name: 'ingest-local-services',
    timeout: 3000,
    reconnect: false,
  };
  if (user !== '' && pass !== '') return { ...options, user, pass };
  if (user !== '') return { ...options, token: user };
  return options;
}

/** Throws a ServiceUnavailableError unless a NATS server at `url` completes a handshake and has JetStream on. */
async function checkJetStream(url: string): Promise<void> {
  let nc;
  try {
    nc = await connect(connectionOptions(url));
  } catch (error) {
    throw new ServiceUnavailableError(`NATS at ${redactUrl(url)} accepts connections but the NATS handshake failed: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  try {
    // checkAPI off: we make the one call ourselves so its failure gets our message rather than a generic one.
    const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 3000 });
    await jsm.getAccountInfo();
  } catch (error) {
    throw new ServiceUnavailableError(
      `NATS at ${redactUrl(url)} answers but JetStream is not available (${errorMessage(error)}): ` +
        'restart that nats-server with -js (or a "jetstream {}" block in its config), or point NATS_URL at one that has it',
      { cause: error },
    );
  } finally {
    await nc.close();
  }
}

type NatsStatus = { answers: boolean; jetStream: boolean; detail: string };

/** What a NATS URL answers, for `status`; never throws. */
async function probeNats(url: string): Promise<NatsStatus> {
  const { host, port } = parseEndpoint(url, NATS_DEFAULT_PORT);
  if (!(await canConnect(host, port))) return { answers: false, jetStream: false, detail: `nothing listens on ${host}:${port}` };
  try {
    await checkJetStream(url);
    return { answers: true, jetStream: true, detail: 'JetStream enabled' };
  } catch (error) {
    return { answers: true, jetStream: false, detail: errorMessage(error) };
  }
}

/** Path of nats-server, or a ServiceUnavailableError naming the apt package. `search` is for tests. */
async function locateNatsServer(search: BinarySearch = {}): Promise<string> {
  const found = await findBinary('nats-server', { extraDirs: NATS_FALLBACK_DIRS, ...search });
  if (found.path === undefined) throw missingBinaryError('nats-server', 'nats-server', found.searched);
  return found.path;
}

/**
 * Makes sure a JetStream-enabled NATS answers at `url`. Returns the service it had to start,
 * or undefined when one was already there.
 */
async function ensureNats(url: string, dataDir: string, log: (message: string) => void): Promise<StartedService | undefined> {
  const endpoint = parseEndpoint(url, NATS_DEFAULT_PORT);
  const shown = redactUrl(url);
  if (await canConnect(endpoint.host, endpoint.port)) {
    await checkJetStream(url);
    log(`NATS answers at ${shown} with JetStream enabled`);
    return undefined;
  }
  if (!isLoopbackHost(endpoint.host)) {
    throw new ServiceUnavailableError(
      `NATS at ${shown} does not answer; it is not on this machine, so it is not started here: start it there or point NATS_URL at a local server`,
    );
  }
  if (endpoint.protocol !== 'nats:') {
    throw new ServiceUnavailableError(`NATS at ${shown} does not answer, and only plain nats:// URLs can be started locally`);
  }
  const binary = await locateNatsServer();
  return startNats(binary, url, endpoint.host, endpoint.port, dataDir, log);
}

async function startNats(binary: string, url: string, host: string, port: number, dataDir: string, log: (message: string) => void): Promise<StartedService> {
  const files = natsFiles(dataDir);
  await mkdir(files.storeDir, { recursive: true });
  // A name like "localhost" could resolve off loopback on an odd machine; an IP literal binds exactly.
  const listenHost = isIP(host) === 0 ? '127.0.0.1' : host;
  log(`starting ${binary} on ${listenHost}:${port} (store ${files.storeDir}, log ${files.logFile})`);
  // stdout/stderr go to the log as well: errors before -l takes effect (bad flag, port taken) land there too.
  const output = await open(files.logFile, 'a');
  const child = spawn(binary, ['-js', '-a', listenHost, '-p', String(port), '-sd', files.storeDir, '-l', files.logFile, '-P', files.pidFile], {
    detached: true,
    stdio: ['ignore', output.fd, output.fd],
  });
  await output.close();
  let exited: string | undefined;
  child.once('error', (error) => {
    exited = `could not run ${binary}: ${error.message}`;
  });
  child.once('exit', (code, signal) => {
    exited = `nats-server exited (${signal ?? `code ${code}`})`;
  });
  // Detached and unref'd so the server outlives this process: `up` starts it and returns.
  child.unref();
  const pid = child.pid;
  // nats-server writes this file itself once running; writing it now means `down` can find a server that hangs before that.
  if (pid !== undefined) await writeFile(files.pidFile, `${pid}\n`);

  const ready = await waitUntil(async () => (await canConnect(host, port, 500)) && (await jetStreamAnswers(url)), {
    timeoutMs: START_TIMEOUT_MS,
    giveUpIf: () => exited,
  });
  if (!ready.ok || pid === undefined) {
    if (pid !== undefined && exited === undefined) await terminate(pid);
    await rm(files.pidFile, { force: true });
    const reason = ready.ok ? 'no process id' : ready.reason;
    throw new ServiceUnavailableError(
      `nats-server did not start on ${listenHost}:${port}: ${reason}\n--- last lines of ${files.logFile} ---\n${await tailFile(files.logFile)}`,
    );
  }
  log(`NATS started (pid ${pid}) at ${redactUrl(url)}`);
  return { kind: 'nats', pid, dataDir: files.storeDir, logFile: files.logFile };
}

async function jetStreamAnswers(url: string): Promise<boolean> {
  await checkJetStream(url);
  return true;
}

/** The NATS server this module started under `dataDir`, if it is still running. */
async function startedNats(dataDir: string): Promise<StartedService | undefined> {
  const files = natsFiles(dataDir);
  const pid = await readPid(files.pidFile);
  if (pid === undefined || !(await isOurNats(pid, files.storeDir))) return undefined;
  return { kind: 'nats', pid, dataDir: files.storeDir, logFile: files.logFile };
}

/** Stops the NATS server started under `dataDir`, if any; anything else is left alone. */
async function stopNats(dataDir: string, log: (message: string) => void): Promise<void> {
  const files = natsFiles(dataDir);
  const pid = await readPid(files.pidFile);
  if (pid === undefined) return;
  if (await isOurNats(pid, files.storeDir)) {
    log(`stopping NATS (pid ${pid})`);
    await terminate(pid);
  } else {
    log(`NATS pid file ${files.pidFile} is stale (pid ${pid} is not our nats-server); removing it`);
  }
  await rm(files.pidFile, { force: true });
}

async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A pid is reused after its process dies; only signal one that is nats-server with our store dir. */
async function isOurNats(pid: number, storeDir: string): Promise<boolean> {
  const argv = await processCommandLine(pid);
  return argv !== undefined && basename(argv[0] ?? '') === 'nats-server' && argv.includes(storeDir);
}

/** SIGTERM, then SIGKILL if the process is still there after a few seconds. */
async function terminate(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isProcessAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // It went away between the check and the signal.
    }
  }
}

export { type NatsStatus, checkJetStream, ensureNats, locateNatsServer, probeNats, startedNats, stopNats };
