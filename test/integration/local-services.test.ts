import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import postgres from 'postgres';
import { ensureNats, locateNatsServer } from '../../infra/local/nats.ts';
import { isValidDatabaseName, locatePostgresBinaries } from '../../infra/local/postgres.ts';
import { canConnect, waitUntil } from '../../infra/local/probe.ts';
import { isLoopbackHost } from '../../shared/names/index.ts';
import { ensureServices, ServiceUnavailableError, stopStartedServices } from '../../infra/local/services.ts';

const MACHINE_NATS_URL = 'nats://127.0.0.1:4222';
const MACHINE_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432';
const quiet = (): void => {};

/** Ports nothing listens on right now; all held open together so two calls cannot return the same one. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => {
      const address = server.address();
      assert.ok(address !== null && typeof address === 'object');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ingest-local-services-'));
}

async function jetStreamStreamCount(natsUrl: string): Promise<number> {
  const nc = await connect({ servers: natsUrl, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.getAccountInfo()).streams;
  } finally {
    await nc.close();
  }
}

async function queryDatabase(databaseUrl: string): Promise<{ one: number; db: string }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: quiet });
  try {
    const [row] = await sql<{ one: number; db: string }[]>`select 1 as one, current_database() as db`;
    assert.ok(row !== undefined);
    return row;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function isServiceUnavailable(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ServiceUnavailableError, `expected ServiceUnavailableError, got ${String(error)}`);
    assert.equal(error.retryable, false);
    assert.match(error.message, pattern);
    return true;
  };
}

test('starts NATS and PostgreSQL on free loopback ports, then stops exactly those', { timeout: 120_000 }, async (t) => {
  const dataDir = await tempDataDir();
  t.after(async () => {
    // Also runs when an assertion failed half-way, so nothing is left listening or on disk.
    await stopStartedServices(dataDir, quiet).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });
  const [natsPort, pgPort] = await freePorts(2);
  assert.ok(natsPort !== undefined && pgPort !== undefined);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/ingest_test`;
  const messages: string[] = [];

  const services = await ensureServices({ natsUrl, databaseUrl, dataDir, log: (message) => messages.push(message) });

  assert.deepEqual(services.started.map((service) => service.kind).sort(), ['nats', 'postgres']);
  for (const service of services.started) {
    assert.ok(service.pid > 0, `${service.kind} has a pid`);
    assert.ok(service.dataDir.startsWith(dataDir), `${service.kind} keeps its data under the data dir`);
    await access(service.logFile);
  }
  assert.ok(
    messages.some((message) => message.includes('created database ingest_test')),
    messages.join('\n'),
  );
  assert.equal(await jetStreamStreamCount(natsUrl), 0);
  assert.deepEqual({ ...(await queryDatabase(databaseUrl)) }, { one: 1, db: 'ingest_test' });

  const again = await ensureServices({ natsUrl, databaseUrl, dataDir, log: quiet });
  assert.equal(again.started.length, 0, 'a second ensure reuses what runs');

  await stopStartedServices(dataDir, quiet);
  assert.equal(await canConnect('127.0.0.1', natsPort), false, 'NATS port is closed');
  assert.equal(await canConnect('127.0.0.1', pgPort), false, 'PostgreSQL port is closed');
  const left = await readdir(dataDir);
  assert.ok(!left.includes('nats.pid') && !left.includes('postgres.json'), `no pid files left: ${left.join(', ')}`);
});

test("uses the machine's running NATS and PostgreSQL as they are and only creates the database", { timeout: 60_000 }, async (t) => {
  // `npm test` runs `services:up` first, so the machine's services answer here.
  assert.ok(await canConnect('127.0.0.1', 4222), 'NATS answers on 127.0.0.1:4222 (run npm run services:up)');
  assert.ok(await canConnect('127.0.0.1', 5432), 'PostgreSQL answers on 127.0.0.1:5432 (run npm run services:up)');
  const dataDir = await tempDataDir();
  const database = `ingest_svc_test_${process.pid}_${Date.now()}`;
  assert.ok(isValidDatabaseName(database));
  const admin = postgres(`${MACHINE_POSTGRES_URL}/postgres`, { max: 1, onnotice: quiet });
  t.after(async () => {
    await admin.unsafe(`drop database if exists "${database}"`).catch(() => {});
    await admin.end({ timeout: 1 });
    await stopStartedServices(dataDir, quiet).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });
  const databaseUrl = `${MACHINE_POSTGRES_URL}/${database}`;
  assert.equal((await admin`select 1 from pg_database where datname = ${database}`).length, 0);
  // What "as they are" means: the same server processes before and after, with their data. A
  // marker stream with one message stands for the NATS data; PostgreSQL's start time and NATS's
  // server id (new at every start) tell a restart apart.
  const marker = `SVC_${process.pid}_${Date.now()}`;
  const nc = await connect({ servers: MACHINE_NATS_URL, reconnect: false });
  const jsm = await jetstreamManager(nc);
  t.after(async () => {
    await jsm.streams.delete(marker).catch(() => false);
    await nc.close();
  });
  await jsm.streams.add({ name: marker, subjects: [`${marker.toLowerCase()}.>`] });
  await jetstream(nc).publish(`${marker.toLowerCase()}.x`, new Uint8Array([1]));
  const natsServerId = nc.info?.server_id;
  assert.match(natsServerId ?? '', /^N[A-Z0-9]{55}$/, 'the NATS server names itself');
  const [postgresStarted] = await admin<{ started: Date }[]>`select pg_postmaster_start_time() as started`;

  const services = await ensureServices({ natsUrl: MACHINE_NATS_URL, databaseUrl, dataDir, log: quiet });

  assert.equal(services.started.length, 0, 'nothing was started');
  assert.deepEqual(await readdir(dataDir), [], 'nothing was written to the data dir');
  assert.equal((await admin`select 1 from pg_database where datname = ${database}`).length, 1, 'the database was created');
  assert.equal((await queryDatabase(databaseUrl)).db, database);
  const fresh = await connect({ servers: MACHINE_NATS_URL, reconnect: false });
  const freshServerId = fresh.info?.server_id;
  await fresh.close();
  assert.equal(freshServerId, natsServerId, 'the same nats-server answers (not restarted)');
  assert.equal(nc.isClosed(), false, 'a connection made before is still open');
  assert.equal((await jsm.streams.info(marker)).state.messages, 1, 'the JetStream data that was there is still there');
  const [postgresNow] = await admin<{ started: Date }[]>`select pg_postmaster_start_time() as started`;
  assert.equal(postgresNow?.started.getTime(), postgresStarted?.started.getTime(), 'the same PostgreSQL server answers (not restarted)');
});

test('a NATS server without JetStream is reported, not used', { timeout: 30_000 }, async (t) => {
  const binary = await locateNatsServer();
  const [port] = await freePorts(1);
  assert.ok(port !== undefined);
  const dataDir = await tempDataDir();
  // Our own child, bound to loopback, without -js: the situation the error is about.
  const server = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  t.after(async () => {
    server.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  });
  const up = await waitUntil(() => canConnect('127.0.0.1', port, 200), { timeoutMs: 10_000 });
  assert.ok(up.ok, 'nats-server without JetStream came up');

  await assert.rejects(ensureNats(`nats://127.0.0.1:${port}`, dataDir, quiet), isServiceUnavailable(/JetStream is not available.*-js/s));
  assert.deepEqual(await readdir(dataDir), [], 'nothing was started in its place');
});

test('missing binaries give an actionable error naming the apt package', async () => {
  await assert.rejects(
    locateNatsServer({ pathEnv: '', extraDirs: ['/nonexistent/sbin'] }),
    isServiceUnavailable(/nats-server not found.*apt-get install nats-server/),
  );
  await assert.rejects(
    locatePostgresBinaries({ pathEnv: '', libRoot: '/nonexistent/lib/postgresql' }),
    isServiceUnavailable(/initdb and pg_ctl not found.*apt-get install postgresql/),
  );
});

test("Debian's versioned PostgreSQL folder is found without PATH", async (_t) => {
  // .ci/run installs Debian's postgresql package when it is missing, which creates this folder.
  await access('/usr/lib/postgresql');
  const binaries = await locatePostgresBinaries({ pathEnv: '' });
  assert.match(binaries.initdb, /^\/usr\/lib\/postgresql\/[\d.]+\/bin\/initdb$/);
  assert.match(binaries.pgCtl, /^\/usr\/lib\/postgresql\/[\d.]+\/bin\/pg_ctl$/);
});

test('only loopback hosts count as this machine, and only plain names are created as databases', () => {
  // Pure checks: a remote host is refused before any traffic would be sent to start something there.
  for (const host of ['127.0.0.1', '127.4.5.6', 'localhost', 'db.localhost', '::1', '[::1]']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['192.0.2.1', '10.0.0.1', '0.0.0.0', 'example.com', '::', '2001:db8::1']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
  for (const name of ['ingest', '_x', 'a'.repeat(63)]) assert.equal(isValidDatabaseName(name), true, name);
  for (const name of ['', 'Ingest', '1db', 'a-b', 'a"; drop', 'a'.repeat(64)]) assert.equal(isValidDatabaseName(name), false, name);
});
