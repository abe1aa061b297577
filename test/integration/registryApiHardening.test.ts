import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ManagedProcess, startOffline } from '../../infra/local/processes.ts';
import { freePort } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { isProblem, rawRequest, type RawResponse, registryClient } from '../helpers/registryClient.ts';

const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';
const ALLOWED_ORIGIN = 'https://console.example.com';

function corsHeaderNames(response: RawResponse): string[] {
  return Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));
}

describe('the registry HTTP API, hardened (serverless-offline, real PostgreSQL)', () => {
  let plane: TestPlane;
  let call: ReturnType<typeof registryClient>;
  let v1: Record<string, unknown>;

  before(async () => {
    plane = await createTestPlane();
    call = registryClient(plane.registryUrl, plane.registryToken);
    v1 = (await call('GET', SCHEMA)).json;
  });

  after(async () => {
    await plane?.close();
  });

  function assertProblem(response: RawResponse, status: number, detail?: RegExp): void {
    assert.equal(response.status, status, response.text);
    assert.ok(isProblem(response), `not a problem document: ${response.text}`);
    if (detail !== undefined) assert.match(String(response.json.detail), detail);
  }

  async function versionCount(): Promise<number> {
    const count = (await call('GET', `${SCHEMA}$details`)).json.versionscount;
    assert.ok(typeof count === 'number' && count >= 1, `versionscount ${String(count)}`);
    return count;
  }

  test('an empty, non-JSON or non-JSON-typed body is a 400 or 415 problem, and nothing is stored', async () => {
    const auth = { authorization: `Bearer ${plane.registryToken}` };
    const versionsBefore = await versionCount();
    assertProblem(await rawRequest(plane.registryUrl, { method: 'POST', path: SCHEMA, headers: auth }), 400, /needs a JSON body/);
    assertProblem(
      await rawRequest(plane.registryUrl, { method: 'POST', path: SCHEMA, headers: { ...auth, 'content-type': 'application/json' }, body: '' }),
      400,
    );
    assertProblem(await call('POST', SCHEMA, { body: '{"type": "record",' }), 400, /not valid JSON/);
    const evolved = JSON.stringify({ ...v1, fields: [...(v1.fields as unknown[]), { name: 'zone', type: ['null', 'string'], default: null }] });
    assertProblem(await call('POST', SCHEMA, { body: evolved, headers: { 'content-type': 'text/plain' } }), 415, /application\/json, not text\/plain/);
    // (A body without Content-Type is a 415 from the function too, see test/unit/registryApiHttp.test.ts;
    // serverless-offline itself adds application/json to such a request, so it cannot be shown here.)
    assert.equal(await versionCount(), versionsBefore, 'nothing was stored');
    assert.equal((await call('POST', SCHEMA, { body: evolved, headers: { 'content-type': 'application/json; charset=utf-8' } })).status, 201);
    assert.equal(await versionCount(), versionsBefore + 1);
  });

  const message_ = (subject: string): string => `/messagegroups/metrics/messages/${subject}`;

  test('unknown attributes are refused where the rc4 model has no "*", extensions kept where it has; read-only ones stay read-only', async () => {
    assertProblem(await call('PUT', '/', { body: { bogus: 1 } }), 400, /unknown attribute "bogus"/);
    assertProblem(await call('PATCH', '/', { body: { registryid: 'hacked' } }), 400, /registryid/);
    assertProblem(await call('PATCH', '/', { body: { specversion: '0.5' } }), 400, /specversion/);
    assert.equal((await call('GET', '/')).json.registryid, 'ingest');
    const named = await call('PATCH', '/', { body: { name: 'ingest registry' } });
    assert.equal(named.status, 200, named.text);
    assert.equal(named.json.name, 'ingest registry');
    // Schema groups, schemas and versions have "*" in rc4: a well-named extension is kept, a badly named one refused.
    const extended = await call('PATCH', '/schemagroups/metrics', { body: { schemasurl2: 'x' } });
    assert.equal(extended.status, 200, extended.text);
    assert.equal(extended.json.schemasurl2, 'x');
    assert.equal((await call('PATCH', '/schemagroups/metrics', { body: { schemasurl2: null } })).json.schemasurl2, undefined);
    assertProblem(await call('PATCH', '/schemagroups/metrics', { body: { fooCount: 3 } }), 400, /attribute name "fooCount" is not valid/);
    assertProblem(await call('PATCH', `${SCHEMA}/meta`, { body: { colour: 'red' } }), 400, /unknown attribute "colour"/);
    assertProblem(await call('PATCH', `${SCHEMA}/meta`, { body: { xref: '/schemagroups/x/schemas/y' } }), 400, /xref/);
    assertProblem(await call('PATCH', `${SCHEMA}/versions/1$details`, { body: { Flavour: 'x' } }), 400, /attribute name "Flavour" is not valid/);
    assertProblem(await call('PATCH', message_(plane.route.subject), { body: { flavour: 'x' } }), 400, /unknown attribute "flavour"/);
    const message = `/messagegroups/metrics/messages/${plane.route.subject}`;
    const stored = (await call('GET', message)).json;
    assertProblem(await call('PATCH', message, { body: { protocoloptions: { subject: plane.route.subject, queue: 'q' } } }), 400, /unknown attribute "queue"/);
    const ingestion = stored.ingestion as Record<string, unknown>;
    assertProblem(
      await call('PATCH', message, { body: { ingestion: { ...ingestion, sink: { kind: 'postgres', table: 'metric_events', pool: 3 } } } }),
      400,
      /unknown attribute "pool"/,
    );
    assertProblem(
      await call('PUT', '/', { body: { messagegroups: { metrics: { messages: { [plane.route.subject]: { ...stored, extra: true } } } } } }),
      400,
      /unknown attribute "extra"/,
    );
    const before = (await call('GET', `${SCHEMA}/versions/1$details`)).json;
    const patched = await call('PATCH', `${SCHEMA}/versions/1$details`, {
      body: { numericid: 999_999, fingerprint: '0000000000000000', isdefault: false, description: 'first' },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.numericid, before.numericid);
    assert.equal(patched.json.fingerprint, before.fingerprint);
    assert.equal(patched.json.description, 'first');
  });

  test('dot segments and bad percent-encoding are refused, never resolved into another entity', async () => {
    const epoch = (await call('GET', '/')).json.epoch;
    for (const path of [
      '/schemagroups/..',
      '/schemagroups/%2e%2e',
      '/schemagroups/%2E%2e',
      '/schemagroups/.',
      '/schemagroups/metrics/..',
      '/schemagroups/./metrics',
    ]) {
      assertProblem(await call('PUT', path, { body: {} }), 400, /"\." or "\.\." segment|relative segments/);
    }
    assertProblem(await call('GET', '/schemagroups/%2e%2e/schemas'), 400);
    for (const path of ['/schemagroups/%zz', '/schemagroups/%E0%A4%A', '/schemagroups/%']) {
      assertProblem(await call('GET', path), 400, /percent-encod/);
    }
    assertProblem(await call('GET', '/schemagroups//metrics'), 400);
    assert.equal((await call('GET', '/')).json.epoch, epoch, 'the registry was not touched');
  });

  test('links and Location come from the configured public URL, never from Host or X-Forwarded-*', async () => {
    const spoofed = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'gopher' };
    const root = await call('GET', '/', { headers: spoofed });
    assert.equal(root.json.self, `${plane.registryUrl}/`);
    assert.equal(root.json.schemagroupsurl, `${plane.registryUrl}/schemagroups`);
    assert.ok(!root.text.includes('evil.example'));
    const created = await call('PUT', '/schemagroups/linked', { body: {}, headers: spoofed });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.location, `${plane.registryUrl}/schemagroups/linked`);
    assert.equal(created.json.self, `${plane.registryUrl}/schemagroups/linked`);
  });

  test('ids are unique regardless of case; look-ups stay case-sensitive', async () => {
    assertProblem(await call('PUT', '/schemagroups/Metrics', { body: {} }), 409, /"metrics" already exists/);
    assertProblem(await call('PUT', '/schemagroups/metrics/schemas/CPU-usage', { body: v1 }), 409);
    assertProblem(await call('PUT', '/messagegroups/METRICS', { body: {} }), 409);
    assertProblem(await call('PUT', '/', { body: { schemagroups: { a1: {}, A1: {} } } }), 409);
    assert.equal((await call('GET', '/schemagroups/a1')).status, 404, 'the import applied nothing');
    assertProblem(await call('GET', '/schemagroups/METRICS'), 404);
  });

  test('schema size and depth have limits with plain messages; a value PostgreSQL refuses is a 400', async () => {
    let deep: unknown = 'int';
    for (let level = 0; level < 3000; level += 1) deep = { type: 'array', items: deep };
    const nested = await call('POST', SCHEMA, {
      body: {
        type: 'record',
        name: 'Deep',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'a', type: deep },
        ],
      },
    });
    assertProblem(nested, 400, /nests more than/);
    assert.ok(!nested.text.includes('call stack'));
    const wide = { type: 'record', name: 'Wide', fields: Array.from({ length: 70_000 }, (_, index) => ({ name: `f${index}`, type: 'int' })) };
    const huge = await call('POST', '/schemagroups/limits/schemas/wide', { body: wide });
    assertProblem(huge, 400, /bytes; at most/);
    assert.ok(!huge.text.includes('Too many parameters'));
    assertProblem(await call('PUT', '/', { body: 'x'.repeat(5 * 1024 * 1024) }), 413);
    assertProblem(await call('PUT', '/', { body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }), 400, /nests more than/);
    assertProblem(await call('PATCH', '/schemagroups/metrics', { body: { description: 'nul \u0000 byte' } }), 400, /database refused a value/);
  });

  test('without configured origins there are no CORS headers: not on reads, not on preflights, and writes from a page are refused', async () => {
    const origin = { origin: 'https://evil.example' };
    const read = await call('GET', '/', { token: null, headers: origin });
    assert.equal(read.status, 200);
    assert.deepEqual(corsHeaderNames(read), []);
    const preflight = await rawRequest(plane.registryUrl, {
      method: 'OPTIONS',
      path: '/schemagroups/metrics',
      headers: { ...origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' },
    });
    assertProblem(preflight, 403, /evil\.example/);
    assert.deepEqual(corsHeaderNames(preflight), []);
    const write = await call('PATCH', '/schemagroups/metrics', { body: { description: 'from a page' }, headers: origin });
    assertProblem(write, 403);
    assert.deepEqual(corsHeaderNames(write), []);
  });

  describe('with REGISTRY_API_CORS_ORIGINS', () => {
    let offline: ManagedProcess;
    let url: string;

    before(async () => {
      const [lambdaPort, httpPort] = [await freePort(), await freePort()];
      url = `http://127.0.0.1:${httpPort}`;
      const env = { ...plane.env, REGISTRY_PUBLIC_URL: url, REGISTRY_API_CORS_ORIGINS: ALLOWED_ORIGIN };
      offline = await startOffline({ stage: 'test', lambdaPort, httpPort, env, logFile: join(tmpdir(), `ingest-offline-cors-${plane.runId}.log`) });
    });

    after(async () => {
      await offline?.stop();
    });

    test('only the configured origin gets CORS headers, never credentials; a preflight from it is answered', async () => {
      const allowed = await rawRequest(url, { method: 'GET', path: '/', headers: { origin: ALLOWED_ORIGIN } });
      assert.equal(allowed.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
      assert.equal(allowed.headers['access-control-allow-credentials'], undefined);
      assert.match(String(allowed.headers.vary), /Origin/);
      const preflight = await rawRequest(url, {
        method: 'OPTIONS',
        path: '/schemagroups/metrics',
        headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type' },
      });
      assert.equal(preflight.status, 204, preflight.text);
      assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
      assert.match(String(preflight.headers['access-control-allow-methods']), /PATCH/);
      assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
      const other = await rawRequest(url, { method: 'GET', path: '/', headers: { origin: 'https://evil.example' } });
      assert.equal(other.status, 200);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      const otherPreflight = await rawRequest(url, {
        method: 'OPTIONS',
        path: '/',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
      });
      assertProblem(otherPreflight, 403);
      assert.equal(otherPreflight.headers['access-control-allow-origin'], undefined);
    });
  });
});
