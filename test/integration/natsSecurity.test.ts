import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { nkeys } from '@nats-io/nats-core';
import { loadCliConfig } from '../../shared/config/index.ts';
import { connectNats } from '../../shared/nats/index.ts';
import { freePort } from '../helpers/names.ts';

const run = promisify(execFile);

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((entry) => join(entry, name)).find((candidate) => existsSync(candidate));
}

// Both come from the OS packages that .ci/run installs; a missing one fails the run loudly.
const NATS_SERVER = findExecutable('nats-server');
const OPENSSL = findExecutable('openssl');
if (NATS_SERVER === undefined || OPENSSL === undefined) {
  throw new Error('nats-server and openssl are needed: apt-get install nats-server openssl');
}

type RunningServer = { url: string; log(): string; stop(): Promise<void> };

/** A private nats-server on a free loopback port (never the shared one on 4222), stopped by its PID. */
async function startNatsServer(args: string[], scheme = 'nats'): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), 10_000);
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log}`));
    });
  });
  return {
    // A host name, not 127.0.0.1: nats.js sends no TLS server name for an IP literal, and real
    // deployments name their servers.
    url: `${scheme}://localhost:${port}`,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/** Connects with the configuration read from `env`, proves the connection works, and closes it. */
async function connectWith(env: Record<string, string>): Promise<void> {
  const config = loadCliConfig(env);
  const nc = await connectNats(config.nats.url, 'ingest-config-test', config.nats.security);
  try {
    await nc.flush();
  } finally {
    await nc.close();
  }
}

/** A JWT signed by `issuer`, in the form nats-server's operator mode accepts. */
function natsJwt(issuer: nkeys.KeyPair, subject: string, nats: Record<string, unknown>): string {
  const encode = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');
  const claims = { iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), sub: subject, name: subject.slice(0, 8), nats: { ...nats, version: 2 } };
  const jti = createHash('sha256').update(JSON.stringify(claims)).digest('base64url');
  const signed = `${encode(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))}.${encode(JSON.stringify({ ...claims, jti }))}`;
  return `${signed}.${encode(issuer.sign(new TextEncoder().encode(signed)))}`;
}

/** An operator, an account and one user: the server configuration and the user's .creds file. */
function operatorSetup(): { serverConfig: string; creds: string } {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const user = nkeys.createUser();
  const unlimited = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };
  const accountJwt = natsJwt(operator, account.getPublicKey(), { type: 'account', limits: unlimited, default_permissions: { pub: {}, sub: {} } });
  const userJwt = natsJwt(account, user.getPublicKey(), { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
  return {
    serverConfig: [
      `operator: ${natsJwt(operator, operator.getPublicKey(), { type: 'operator' })}`,
      'resolver: MEMORY',
      `resolver_preload: { ${account.getPublicKey()}: ${accountJwt} }`,
    ].join('\n'),
    creds: [
      '-----BEGIN NATS USER JWT-----',
      userJwt,
      '------END NATS USER JWT------',
      '',
      '-----BEGIN USER NKEY SEED-----',
      new TextDecoder().decode(user.getSeed()),
      '------END USER NKEY SEED------',
      '',
    ].join('\n'),
  };
}

describe('NATS security against a real nats-server', () => {
  let dir: string;
  const servers: RunningServer[] = [];
  const start = async (args: string[], scheme?: string): Promise<RunningServer> => {
    const server = await startNatsServer(args, scheme);
    servers.push(server);
    return server;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-nats-security-'));
  });

  after(async () => {
    for (const server of servers) await server.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('user and password: the right pair connects, a wrong one and none are refused', async () => {
    const server = await start(['--user', 'bridge', '--pass', 'right-password']);
    await connectWith({ NATS_URL: server.url, NATS_USER: 'bridge', NATS_PASSWORD: 'right-password' });
    await assert.rejects(connectWith({ NATS_URL: server.url, NATS_USER: 'bridge', NATS_PASSWORD: 'wrong' }), /Authorization Violation/);
    await assert.rejects(connectWith({ NATS_URL: server.url }), /Authorization Violation/);
  });

  test('token: the right token connects, a wrong one is refused', async () => {
    const server = await start(['--auth', 'right-token']);
    await connectWith({ NATS_URL: server.url, NATS_TOKEN: 'right-token' });
    await assert.rejects(connectWith({ NATS_URL: server.url, NATS_TOKEN: 'wrong' }), /Authorization Violation/);
  });

  test("a .creds file (operator mode, user JWT + nkey seed) connects; another account's user is refused", async () => {
    const trusted = operatorSetup();
    const config = join(dir, 'operator.conf');
    await writeFile(config, trusted.serverConfig);
    const server = await start(['-c', config]);
    const creds = join(dir, 'user.creds');
    await writeFile(creds, trusted.creds, { mode: 0o600 });
    await connectWith({ NATS_URL: server.url, NATS_CREDS_FILE: creds });

    const stranger = join(dir, 'stranger.creds');
    await writeFile(stranger, operatorSetup().creds, { mode: 0o600 });
    await assert.rejects(connectWith({ NATS_URL: server.url, NATS_CREDS_FILE: stranger }), /Authorization Violation/);
  });

  test('mutual TLS: CA + client certificate connects; without the client certificate or the CA it fails', async () => {
    const file = (name: string): string => join(dir, name);
    const openssl = (args: string[]): Promise<unknown> => run(OPENSSL!, args, { cwd: dir });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=ingest-test-ca']);
    for (const [name, extension] of [
      ['server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      await writeFile(file(`${name}.ext`), `${extension}\n`);
      await openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=ingest-test-${name}`]);
      await openssl([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
        '-out',
        `${name}.pem`,
        '-extfile',
        `${name}.ext`,
      ]);
    }
    const config = file('tls.conf');
    await writeFile(
      config,
      `tls { cert_file: "${file('server.pem')}", key_file: "${file('server.key')}", ca_file: "${file('ca.pem')}", verify: true, timeout: 2 }\n`,
    );
    const server = await start(['-c', config], 'tls');
    const ca = { NATS_URL: server.url, NATS_TLS_CA_FILE: file('ca.pem') };
    await connectWith({ ...ca, NATS_TLS_CERT_FILE: file('client.pem'), NATS_TLS_KEY_FILE: file('client.key') });
    // TLS 1.3 reports a refused client certificate after the handshake, so the client sees a
    // timeout; the server's log says why. Any other failure (the client not trusting the server,
    // a missing file) would be a different message.
    await assert.rejects(connectWith(ca), (error: unknown) => {
      assert.ok(error instanceof Error && error.cause instanceof Error, String(error));
      assert.equal(error.message, `cannot connect to NATS at ${server.url}: timeout`);
      return true;
    });
    assert.match(server.log(), /TLS handshake error.*certificate/);
    await assert.rejects(connectWith({ NATS_URL: server.url, NATS_TLS_CERT_FILE: file('client.pem'), NATS_TLS_KEY_FILE: file('client.key') }), /certificate/i);
  });
});
