import { chmod, chown, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { missingBinaryError, ServiceUnavailableError } from './errors.ts';
import { type BinarySearch, canConnect, errorMessage, findBinary, isProcessAlive, parseEndpoint, redactUrl, runCommand, tailFile, waitUntil } from './probe.ts';
import { isLoopbackHost } from '../../shared/names/index.ts';
import type { StartedService } from './probe.ts';

const PG_DEFAULT_PORT = 5432;
const START_TIMEOUT_MS = 30_000;
/** Only names that need no quoting are created, so a typo in DATABASE_URL cannot create something odd. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Where Debian's postgresql packages put initdb, pg_ctl and postgres (one folder per major version). */
const DEBIAN_PG_LIB = '/usr/lib/postgresql';
/** initdb and postgres refuse to run as root; Debian's package creates this OS user to run them. */
const PG_OS_USER = 'postgres';
/** Linux sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;
/** postmaster reports these while it cannot take connections yet; everything else will not fix itself. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOENT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P03', // cannot_connect_now: starting up or shutting down
]);

type Log = (message: string) => void;

type PgFiles = { clusterDir: string; logFile: string; markerFile: string };

function pgFiles(dataDir: string): PgFiles {
  return { clusterDir: join(dataDir, 'pg'), logFile: join(dataDir, 'pg.log'), markerFile: join(dataDir, 'postgres.json') };
}

/** What `stopStartedServices` needs to stop a server this module started, written next to the data. */
type PgMarker =
  | { mode: 'private'; pgCtl: string; clusterDir: string; logFile: string; osUser: string | null }
  | { mode: 'debian'; pgCtlCluster: string; version: string; cluster: string; clusterDir: string; logFile: string };

type DebianCluster = { version: string; name: string; port: number; status: string; clusterDir: string; logFile: string };

type PostgresBinaries = { initdb: string; pgCtl: string };

function isValidDatabaseName(name: string): boolean {
  return DATABASE_NAME.test(name);
}

/** The database a URL names; like libpq, an empty path means the database named after the user. */
function databaseName(url: string): string {
  const parsed = new URL(url);
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (path !== '') return path;
  return parsed.username === '' ? 'postgres' : decodeURIComponent(parsed.username);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTransient(error: unknown): boolean {
  return TRANSIENT_CODES.has(errorCode(error) ?? '');
}

/** The error's message, plus what to do about it where that is not obvious. */
function explain(error: unknown): string {
  const code = errorCode(error);
  if (code === '28P01' || code === '28000') {
    // A cluster fresh from Debian's package asks for a password on TCP, and its postgres user has none.
    return `${errorMessage(error)}: put the password in DATABASE_URL, or allow "trust" for 127.0.0.1 in that server's pg_hba.conf`;
  }
  return errorMessage(error);
}

function openSql(url: string, database?: string): postgres.Sql {
  return postgres(url, {
    max: 1,
    connect_timeout: 3,
    idle_timeout: 1,
    onnotice: () => {},
    connection: { application_name: 'ingest-local-services' },
    ...(database === undefined ? {} : { database }),
  });
}

/** Runs `work` on a one-connection client to a maintenance database of the server, which always exists. */
async function withMaintenance<T>(url: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  for (const database of ['postgres', 'template1']) {
    const sql = openSql(url, database);
    try {
      return await work(sql);
    } catch (error) {
      // Someone may have dropped "postgres"; template1 is there on every server.
      if (errorCode(error) !== '3D000' || database === 'template1') throw error;
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  throw new Error('unreachable: template1 either answered or threw');
}

async function selectOne(url: string, database?: string): Promise<void> {
  if (database === undefined) {
    await withMaintenance(url, async (sql) => sql`select 1`);
    return;
  }
  const sql = openSql(url, database);
  try {
    await sql`select 1`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Waits until the server takes queries; gives up at once on errors that waiting cannot fix (e.g. auth). */
async function waitForServer(url: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  let fatal: string | undefined;
  return waitUntil(
    async () => {
      try {
        await selectOne(url);
        return true;
      } catch (error) {
        if (!isTransient(error)) fatal = explain(error);
        throw error;
      }
    },
    { timeoutMs, giveUpIf: () => fatal },
  );
}

/** Creates the URL's database when it is missing, then checks it takes queries. */
async function ensureDatabase(url: string, log: Log): Promise<void> {
  const name = databaseName(url);
  await withMaintenance(url, async (sql) => {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return;
    if (!isValidDatabaseName(name)) {
      throw new ServiceUnavailableError(`database "${name}" does not exist and is not created automatically: its name must match ${DATABASE_NAME.source}`);
    }
    try {
      // Identifiers cannot be bound parameters; the name was checked against DATABASE_NAME above.
      await sql.unsafe(`create database "${name}"`);
      log(`created database ${name}`);
    } catch (error) {
      // duplicate_database: another process created it between our check and our create, which is fine.
      if (errorCode(error) === '42P04') return;
      throw new ServiceUnavailableError(`could not create database "${name}": ${errorMessage(error)}`, { cause: error });
    }
  });
  await selectOne(url, name);
}

type PostgresStatus = { answers: boolean; databaseExists: boolean; detail: string };

/** What a PostgreSQL URL answers, for `status`; never throws. */
async function probePostgres(url: string): Promise<PostgresStatus> {
  const { host, port } = parseEndpoint(url, PG_DEFAULT_PORT);
  if (!(await canConnect(host, port))) return { answers: false, databaseExists: false, detail: `nothing listens on ${host}:${port}` };
  try {
    await selectOne(url, databaseName(url));
    return { answers: true, databaseExists: true, detail: `database ${databaseName(url)} answers` };
  } catch (error) {
    return { answers: true, databaseExists: errorCode(error) !== '3D000', detail: errorMessage(error) };
  }
}

/** initdb and pg_ctl from PATH, else from the newest /usr/lib/postgresql/<major>/bin. `search` is for tests. */
async function locatePostgresBinaries(search: BinarySearch & { libRoot?: string } = {}): Promise<PostgresBinaries> {
  const pathSearch: BinarySearch = 'pathEnv' in search ? { pathEnv: search.pathEnv } : {};
  const [initdb, pgCtl] = await Promise.all([findBinary('initdb', pathSearch), findBinary('pg_ctl', pathSearch)]);
  if (initdb.path !== undefined && pgCtl.path !== undefined) return { initdb: initdb.path, pgCtl: pgCtl.path };
  const libRoot = search.libRoot ?? DEBIAN_PG_LIB;
  const searched = [...initdb.searched];
  let versions: string[] = [];
  try {
    versions = (await readdir(libRoot)).filter((entry) => /^\d+(\.\d+)?$/.test(entry));
  } catch {
    // No Debian PostgreSQL at all.
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(libRoot, version, 'bin');
    searched.push(dir);
    const inDir = { pathEnv: undefined, extraDirs: [dir] };
    const [i, p] = await Promise.all([findBinary('initdb', inDir), findBinary('pg_ctl', inDir)]);
    if (i.path !== undefined && p.path !== undefined) return { initdb: i.path, pgCtl: p.path };
  }
  if (versions.length === 0) searched.push(`${libRoot}/*/bin`);
  throw missingBinaryError('initdb and pg_ctl', 'postgresql', searched);
}

/** The Debian cluster (pg_lsclusters) configured for `port`, if this machine has Debian's tools and one. */
async function findDebianCluster(port: number): Promise<(DebianCluster & { pgCtlCluster: string }) | undefined> {
  const [list, ctl] = await Promise.all([findBinary('pg_lsclusters', { extraDirs: ['/usr/bin'] }), findBinary('pg_ctlcluster', { extraDirs: ['/usr/bin'] })]);
  if (list.path === undefined || ctl.path === undefined) return undefined;
  const { stdout } = await runCommand(list.path, ['--no-header']);
  for (const line of stdout.split('\n')) {
    // Ver Cluster Port Status Owner Data-directory Log-file
    const [version, name, clusterPort, status, , clusterDir, logFile] = line.trim().split(/\s+/);
    if (version === undefined || name === undefined || clusterDir === undefined || Number(clusterPort) !== port) continue;
    return { version, name, port, status: status ?? '', clusterDir, logFile: logFile ?? '', pgCtlCluster: ctl.path };
  }
  return undefined;
}

/**
 * Makes sure PostgreSQL answers at `url` and its database exists. Returns the server it had to start,
 * or undefined when one was already there.
 */
async function ensurePostgres(url: string, dataDir: string, log: Log): Promise<StartedService | undefined> {
  const { host, port } = parseEndpoint(url, PG_DEFAULT_PORT);
  const shown = redactUrl(url);
  let started: StartedService | undefined;
  if (await canConnect(host, port)) {
    const ready = await waitForServer(url, START_TIMEOUT_MS);
    if (!ready.ok) throw new ServiceUnavailableError(`PostgreSQL at ${shown} accepts connections but does not answer queries: ${ready.reason}`);
    log(`PostgreSQL answers at ${shown}`);
  } else {
    if (!isLoopbackHost(host)) {
      throw new ServiceUnavailableError(
        `PostgreSQL at ${shown} does not answer; it is not on this machine, so it is not started here: start it there or point DATABASE_URL at a local server`,
      );
    }
    const cluster = await findDebianCluster(port);
    started = cluster === undefined ? await startPrivateCluster(host, port, dataDir, log) : await startDebianCluster(cluster, dataDir, log);
    const ready = await waitForServer(url, START_TIMEOUT_MS);
    if (!ready.ok) {
      throw new ServiceUnavailableError(
        `PostgreSQL started but does not answer at ${shown}: ${ready.reason}\n--- last lines of ${started.logFile} ---\n${await tailFile(started.logFile)}`,
      );
    }
    log(`PostgreSQL started (pid ${started.pid}) at ${shown}`);
  }
  await ensureDatabase(url, log);
  return started;
}

async function startDebianCluster(cluster: DebianCluster & { pgCtlCluster: string }, dataDir: string, log: Log): Promise<StartedService> {
  const { version, name, clusterDir, logFile, pgCtlCluster } = cluster;
  log(`starting Debian cluster ${version}/${name} (port ${cluster.port}) with pg_ctlcluster`);
  // Recorded before starting so `down` can stop a cluster whose start half-succeeded.
  await writeMarker(dataDir, { mode: 'debian', pgCtlCluster, version, cluster: name, clusterDir, logFile });
  try {
    // --skip-systemctl-redirect: containers and CI have no systemd to hand the start to.
    await runCommand(pgCtlCluster, ['--skip-systemctl-redirect', version, name, 'start'], { timeoutMs: START_TIMEOUT_MS + 15_000 });
  } catch (error) {
    await rm(pgFiles(dataDir).markerFile, { force: true });
    throw new ServiceUnavailableError(
      `could not start PostgreSQL cluster ${version}/${name}: ${errorMessage(error)}\n--- last lines of ${logFile} ---\n${await tailFile(logFile)}`,
      { cause: error },
    );
  }
  return { kind: 'postgres', pid: await postmasterPid(clusterDir), dataDir: clusterDir, logFile };
}

async function startPrivateCluster(host: string, port: number, dataDir: string, log: Log): Promise<StartedService> {
  const binaries = await locatePostgresBinaries();
  const files = pgFiles(dataDir);
  const owner = await clusterOwner();
  await mkdir(dataDir, { recursive: true });
  const runningPid = await postmasterPid(files.clusterDir);
  if (runningPid !== 0 && isProcessAlive(runningPid)) {
    // Our own cluster, still up on the port an earlier DATABASE_URL named; it cannot listen on two.
    log(`the private PostgreSQL (pid ${runningPid}) runs on another port; restarting it on ${port}`);
    await stopPrivateCluster(binaries.pgCtl, files.clusterDir, owner?.name);
  }
  if (owner !== undefined) await openForTraversal(dataDir);
  if (!(await exists(join(files.clusterDir, 'PG_VERSION')))) {
    // A folder left by an initdb that failed half-way would make initdb refuse to run again.
    await rm(files.clusterDir, { recursive: true, force: true });
    await mkdir(files.clusterDir, { mode: 0o700 });
    if (owner !== undefined) await chown(files.clusterDir, owner.uid, owner.gid);
    await checkReachable(files.clusterDir, owner);
    log(`initialising a private PostgreSQL cluster in ${files.clusterDir}`);
    try {
      // Locale C: a fresh machine may have no other locale generated, and C sorts the same everywhere.
      // --no-sync: a throwaway development cluster; waiting for fsync of every file costs seconds.
      await runCommand(binaries.initdb, ['-D', files.clusterDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], {
        asUser: owner?.name,
        cwd: files.clusterDir,
        timeoutMs: 120_000,
      });
    } catch (error) {
      throw new ServiceUnavailableError(`initdb failed for ${files.clusterDir}: ${errorMessage(error)}`, { cause: error });
    }
    // Listen settings live in a file of their own, rewritten at each start, so the port can follow DATABASE_URL.
    await writeFile(join(files.clusterDir, 'postgresql.conf'), "\ninclude_if_exists = 'ingest-local.conf'\n", { flag: 'a' });
  }
  await writeFile(join(files.clusterDir, 'ingest-local.conf'), listenSettings(host, port, files.clusterDir));
  await writeFile(files.logFile, '', { flag: 'a' });
  if (owner !== undefined) await chown(files.logFile, owner.uid, owner.gid);

  await writeMarker(dataDir, { mode: 'private', pgCtl: binaries.pgCtl, clusterDir: files.clusterDir, logFile: files.logFile, osUser: owner?.name ?? null });
  log(`starting PostgreSQL on port ${port} (data ${files.clusterDir}, log ${files.logFile})`);
  try {
    await runCommand(binaries.pgCtl, ['-D', files.clusterDir, '-l', files.logFile, '-w', '-t', String(START_TIMEOUT_MS / 1000), 'start'], {
      asUser: owner?.name,
      cwd: files.clusterDir,
      timeoutMs: START_TIMEOUT_MS + 15_000,
    });
  } catch (error) {
    await stopPostgres(dataDir, () => {}).catch(() => {});
    throw new ServiceUnavailableError(
      `PostgreSQL did not start on port ${port}: ${errorMessage(error)}\n--- last lines of ${files.logFile} ---\n${await tailFile(files.logFile)}`,
      { cause: error },
    );
  }
  return { kind: 'postgres', pid: await postmasterPid(files.clusterDir), dataDir: files.clusterDir, logFile: files.logFile };
}

function listenSettings(host: string, port: number, socketDir: string): string {
  const quote = (value: string): string => `'${value.replaceAll("'", "''")}'`;
  // A name like "localhost" could resolve off loopback on an odd machine; an IP literal binds exactly.
  const listen = isIP(host) === 0 ? '127.0.0.1' : host;
  // A deep data dir makes the socket path too long for the kernel, and postgres would refuse to start; TCP is all we use.
  const socketPath = join(socketDir, `.s.PGSQL.${port}`);
  const sockets = Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH ? socketDir : '';
  return [
    '# Written by infra/local/postgres.ts at each start; edits are overwritten.',
    `listen_addresses = ${quote(listen)}`,
    `port = ${port}`,
    `unix_socket_directories = ${quote(sockets)}`,
    '',
  ].join('\n');
}

type OsUser = { name: string; uid: number; gid: number };

/** The OS user to run initdb and postgres as: ourselves, unless we are root, which they refuse. */
async function clusterOwner(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([runCommand('id', ['-u', PG_OS_USER]), runCommand('id', ['-g', PG_OS_USER])]);
    return { name: PG_OS_USER, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new ServiceUnavailableError(
      `running as root, PostgreSQL must run as the "${PG_OS_USER}" OS user, which does not exist: install it with \`apt-get install postgresql\``,
    );
  }
}

/** Lets the postgres user pass through a folder root made (mkdtemp makes 0700) without letting it list it. */
async function openForTraversal(dir: string): Promise<void> {
  const { mode } = await stat(dir);
  if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o011);
}

async function checkReachable(clusterDir: string, owner: OsUser | undefined): Promise<void> {
  if (owner === undefined) return;
  try {
    await runCommand('test', ['-w', clusterDir], { asUser: owner.name });
  } catch {
    throw new ServiceUnavailableError(
      `the "${owner.name}" OS user cannot write ${clusterDir}: a parent folder is closed to it; put the data dir under a path every user may traverse`,
    );
  }
}

/** Stops the PostgreSQL server started under `dataDir`, if any; anything else is left alone. */
async function stopPostgres(dataDir: string, log: Log): Promise<void> {
  const files = pgFiles(dataDir);
  const marker = await readMarker(files.markerFile);
  if (marker === undefined) return;
  if (marker.mode === 'private') {
    if (await exists(join(marker.clusterDir, 'postmaster.pid'))) {
      log(`stopping PostgreSQL in ${marker.clusterDir}`);
      await stopPrivateCluster(marker.pgCtl, marker.clusterDir, marker.osUser ?? undefined);
    }
  } else {
    const status = await runCommand(marker.pgCtlCluster, [marker.version, marker.cluster, 'status']).then(
      () => 'running',
      () => 'stopped',
    );
    if (status === 'running') {
      log(`stopping Debian cluster ${marker.version}/${marker.cluster}`);
      await runCommand(marker.pgCtlCluster, ['--skip-systemctl-redirect', '-m', 'fast', marker.version, marker.cluster, 'stop'], {
        timeoutMs: 75_000,
      });
    }
  }
  await rm(files.markerFile, { force: true });
}

async function stopPrivateCluster(pgCtl: string, clusterDir: string, osUser: string | undefined): Promise<void> {
  await runCommand(pgCtl, ['-D', clusterDir, 'stop', '-m', 'fast', '-w', '-t', '60'], { asUser: osUser, cwd: clusterDir, timeoutMs: 75_000 });
}

/** The PostgreSQL server this module started under `dataDir`, if it is still running. */
async function startedPostgres(dataDir: string): Promise<StartedService | undefined> {
  const marker = await readMarker(pgFiles(dataDir).markerFile);
  if (marker === undefined) return undefined;
  const pid = await postmasterPid(marker.clusterDir);
  if (pid === 0 || !isProcessAlive(pid)) return undefined;
  return { kind: 'postgres', pid, dataDir: marker.clusterDir, logFile: marker.logFile };
}

/** First line of postmaster.pid; 0 when it cannot be read (a Debian cluster's is private to its owner when we are not root). */
async function postmasterPid(clusterDir: string): Promise<number> {
  try {
    const pid = Number((await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}

async function writeMarker(dataDir: string, marker: PgMarker): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(pgFiles(dataDir).markerFile, `${JSON.stringify(marker, null, 2)}\n`);
}

async function readMarker(markerFile: string): Promise<PgMarker | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(markerFile, 'utf8'));
  } catch {
    return undefined;
  }
  const m = raw as Partial<Record<string, unknown>>;
  const strings = (...keys: string[]): boolean => keys.every((key) => typeof m[key] === 'string');
  if (m.mode === 'private' && strings('pgCtl', 'clusterDir', 'logFile') && (m.osUser === null || typeof m.osUser === 'string')) {
    return raw as PgMarker;
  }
  if (m.mode === 'debian' && strings('pgCtlCluster', 'version', 'cluster', 'clusterDir', 'logFile')) return raw as PgMarker;
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export {
  type PostgresStatus,
  databaseName,
  ensureDatabase,
  ensurePostgres,
  isValidDatabaseName,
  locatePostgresBinaries,
  probePostgres,
  startedPostgres,
  stopPostgres,
};
