import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { handleRegistryRequest } from '../../shared/registryApi/api.ts';
import { registryApiDeps } from '../../shared/wiring/registryApi.ts';
import { type ManagedProcess, startOffline } from '../../infra/local/processes.ts';
import { loadRegistry, migrateRegistry } from '../../shared/xregistry/index.ts';
import { loadBridgeConfig, loadHttpSinkPolicy, loadRegistryApiConfig } from '../../shared/config/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { freePort, runStreamsEnv, uniqueRunId } from '../helpers/names.ts';
import { exampleDocumentFor } from '../helpers/plane.ts';
import { isProblem, rawRequest, type RawResponse } from '../helpers/registryClient.ts';

const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';

/** How a test sends one request to a registry API: method, path, headers, JSON body. */
type Send = (method: string, path: string, headers?: Record<string, string>, body?: unknown) => Promise<RawResponse>;

/**
 * The registry API as serverless-offline serves it with REGISTRY_API_TOKEN set (writes need it);
 * and, without a second serverless-offline, the same API module with no token configured over the
 * real service and database (the API is then read-only for everybody).
 */
describe('the registry API is read-only without its token (serverless-offline, real PostgreSQL)', () => {
  const runId = uniqueRunId();
  const token = `token-${runId}-${runId}`;
  const subject = `${runId}.cpu.usage.v1`;
  const message = `/messagegroups/metrics/messages/${subject}`;
  let sql: Sql | undefined;
  let drop: (() => Promise<void>) | undefined;
  let offline: ManagedProcess | undefined;
  let guarded: Send;
  let tokenless: Send;

  before(async () => {
    const database = await createTestDatabase(`ingest_${runId}`);
    drop = database.drop;
    sql = createSql(database.url, { max: 1, applicationName: 'ingest-test' });
    const streams = runStreamsEnv(runId);
    const config = loadBridgeConfig(streams);
    await migrateRegistry(sql, MIGRATIONS_DIR);
    await loadRegistry(sql, await exampleDocumentFor(runId, 'raw'), { ingest: config.nats.ingest.subjects, deadLetter: config.nats.deadLetter.subjects });
    const [lambdaPort, httpPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${httpPort}`;
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      ...streams,
      REGISTRY_PUBLIC_URL: url,
    };
    offline = await startOffline({
      stage: 'test',
      lambdaPort,
      httpPort,
      env: { ...env, REGISTRY_API_TOKEN: token },
      logFile: join(tmpdir(), `ingest-offline-${runId}.log`),
    });
    guarded = (method, path, headers = {}, body) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      return rawRequest(url, { method, path, headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers }, body: text });
    };
    // The configuration the function loads without REGISTRY_API_TOKEN, wired as the deployed function wires it.
    const functionEnv = {
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REGISTRY_PUBLIC_URL: url,
      INGEST_SUBJECTS: streams.INGEST_SUBJECTS!,
      DEADLETTER_SUBJECTS: streams.DEADLETTER_SUBJECTS!,
    };
    const apiConfig = loadRegistryApiConfig(functionEnv);
    assert.equal(apiConfig.writeToken, undefined);
    const deps = registryApiDeps(apiConfig, loadHttpSinkPolicy(functionEnv), sql);
    tokenless = async (method, path, headers = {}, body) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const response = await handleRegistryRequest(
        { method, path, query: '', headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers }, body: text },
        deps,
      );
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(response.body) as Record<string, unknown>;
      } catch {
        json = {};
      }
      return { status: response.status, headers: response.headers, text: response.body, json };
    };
  });

  after(async () => {
    await offline?.stop().catch(() => {});
    await sql?.end({ timeout: 5 }).catch(() => {});
    await drop?.();
  });

  /** The whole registry, epochs and timestamps included: any write shows here. */
  async function exported(send: Send): Promise<string> {
    const response = await send('GET', '/export');
    assert.equal(response.status, 200, response.text);
    return response.text;
  }

  /** Every kind of write path, each with a body that would be a valid write with the token. */
  async function writes(): Promise<[method: string, path: string, body?: unknown][]> {
    const version1 = (await guarded('GET', `${SCHEMA}/versions/1`)).json;
    const route = (await guarded('GET', message)).json;
    const { self: _self, xid: _xid, epoch: _epoch, createdat: _c, modifiedat: _m, ...routeBody } = route;
    const evolved = { ...version1, fields: [...(version1.fields as unknown[]), { name: 'zone', type: ['null', 'string'], default: null }] };
    return [
      ['PUT', '/', { name: 'renamed' }],
      ['PATCH', '/', { name: 'renamed' }],
      ['POST', '/', { name: 'renamed' }],
      ['POST', '/schemagroups', { added: {} }],
      ['PUT', '/schemagroups/added', {}],
      ['PUT', '/schemagroups/metrics', { description: 'changed' }],
      ['PATCH', '/schemagroups/metrics', { description: 'changed' }],
      ['DELETE', '/schemagroups/metrics'],
      ['POST', '/schemagroups/metrics/schemas', { other: { schema: version1, format: 'Avro/1.12' } }],
      ['PUT', SCHEMA, evolved],
      ['POST', SCHEMA, evolved],
      ['PATCH', `${SCHEMA}$details`, { description: 'changed' }],
      ['DELETE', SCHEMA],
      ['PUT', `${SCHEMA}/meta`, { compatibility: 'none' }],
      ['PATCH', `${SCHEMA}/meta`, { compatibility: 'none' }],
      ['PUT', `${SCHEMA}/versions/2`, evolved],
      ['PATCH', `${SCHEMA}/versions/1$details`, { description: 'changed' }],
      ['DELETE', `${SCHEMA}/versions/1`],
      ['POST', '/messagegroups', { added: {} }],
      ['PUT', '/messagegroups/metrics', { description: 'changed' }],
      ['PATCH', '/messagegroups/metrics', { description: 'changed' }],
      ['DELETE', '/messagegroups/metrics'],
      ['POST', '/messagegroups/metrics/messages', { [`${runId}.cpu.other.v1`]: { ...routeBody, protocoloptions: { subject: `${runId}.cpu.other.v1` } } }],
      ['PUT', `/messagegroups/metrics/messages/${runId}.cpu.other.v1`, { ...routeBody, protocoloptions: { subject: `${runId}.cpu.other.v1` } }],
      ['PATCH', message, { description: 'changed' }],
      ['DELETE', message],
    ];
  }

  function assertRefused(response: RawResponse, status: number, detail: string, what: string): void {
    assert.equal(response.status, status, `${what}: ${response.text}`);
    assert.ok(isProblem(response), `${what}: not a problem document: ${response.text}`);
    assert.equal(response.json.detail, detail, what);
  }

  test('reads answer without a token, with and without a token configured', async () => {
    const reads = [
      '/',
      '/model',
      '/capabilities',
      '/export',
      '/schemagroups',
      '/schemagroups/metrics',
      '/schemagroups/metrics/schemas',
      SCHEMA,
      `${SCHEMA}$details`,
      `${SCHEMA}/meta`,
      `${SCHEMA}/versions`,
      `${SCHEMA}/versions/1`,
      '/messagegroups',
      '/messagegroups/metrics',
      '/messagegroups/metrics/messages',
      message,
    ];
    for (const send of [guarded, tokenless]) {
      for (const path of reads) {
        const response = await send('GET', path);
        assert.equal(response.status, 200, `GET ${path}: ${response.text}`);
      }
      assert.deepEqual((await send('GET', message)).json.protocoloptions, { subject });
      assert.equal((await send('GET', SCHEMA)).json.name, 'MetricCpuUsageEvent', 'the schema document itself');
    }
  });

  test('with REGISTRY_API_TOKEN set, every write without the token or with a wrong one is a 401 problem and changes nothing', async () => {
    const before = await exported(guarded);
    const wrong: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['a wrong token of the same length', { authorization: `Bearer ${'x'.repeat(token.length)}` }],
      ['the token with one character more', { authorization: `Bearer ${token}x` }],
      ['the token without its last character', { authorization: `Bearer ${token.slice(0, -1)}` }],
      ['the token without the Bearer scheme', { authorization: token }],
      ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`ingest:${token}`).toString('base64')}` }],
    ];
    for (const [method, path, body] of await writes()) {
      for (const [how, headers] of wrong) {
        assertRefused(await guarded(method, path, headers, body), 401, 'send "Authorization: Bearer <token>" to write', `${method} ${path} with ${how}`);
      }
    }
    assert.equal(await exported(guarded), before, 'the registry is exactly as it was');
  });

  test('with no REGISTRY_API_TOKEN configured (the API module over the real service), every write is a 403 problem, token or not, and changes nothing', async () => {
    const before = await exported(tokenless);
    for (const [method, path, body] of await writes()) {
      const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${token}` }];
      for (const headers of attempts) {
        assertRefused(
          await tokenless(method, path, headers, body),
          403,
          'writes are disabled: no REGISTRY_API_TOKEN is configured',
          `${method} ${path} ${JSON.stringify(headers)}`,
        );
      }
    }
    assert.equal(await exported(tokenless), before, 'the registry is exactly as it was');
  });

  test('the right token writes, so the refusals above are about the token and not the requests', async () => {
    const renamed = `registry ${runId}`;
    const response = await guarded('PATCH', '/', { authorization: `Bearer ${token}` }, { name: renamed });
    assert.equal(response.status, 200, response.text);
    assert.equal((await tokenless('GET', '/')).json.name, renamed, 'stored: read back from the database by another service');
    const added = await guarded('PUT', '/schemagroups/added', { authorization: `Bearer ${token}` }, {});
    assert.equal(added.status, 201, added.text);
  });
});
