import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MIGRATIONS_DIR, ROOT } from '../../cli/paths.ts';
import { createRegistryService, migrateRegistry } from '../../shared/xregistry/index.ts';
import { createSql } from '../../shared/postgres/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: the test walks the registry's JSON answers by path and asserts on every value it reads.
type Json = Record<string, any>;

const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';

describe('registry HTTP API through serverless-offline (real PostgreSQL)', () => {
  let plane: TestPlane;
  let v1: Json;

  async function call(method: string, path: string, options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? plane.registryToken : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${plane.registryUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: (text === '' ? undefined : JSON.parse(text)) as Json };
  }

  function assertProblem(result: { status: number; json: Json }, status: number, type: string, detail?: RegExp): void {
    assert.equal(result.status, status, JSON.stringify(result.json));
    // HTTP-binding errors are defined in http.md, the rest in the core spec.
    const document = ['api_not_found', 'details_required', 'missing_body'].includes(type) ? 'http' : 'spec';
    assert.equal(result.json.type, `https://github.com/xregistry/spec/blob/main/core/${document}.md#${type}`);
    assert.equal(typeof result.json.title, 'string');
    if (detail) assert.match(result.json.detail, detail);
  }

  let freshSchemas = 0;
  /**
   * A new schema holding `v1` as its version 1, under "backward" compatibility like the seeded one:
   * each test that changes a schema changes its own, so no test depends on what ran before it and
   * the seeded schema stays as the read-only tests expect it.
   */
  async function freshSchema(label: string): Promise<string> {
    freshSchemas += 1;
    const path = `/schemagroups/metrics/schemas/${label}-${freshSchemas}`;
    const created = await call('PUT', path, { body: v1 });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const meta = await call('PATCH', `${path}/meta`, { body: { compatibility: 'backward' } });
    assert.equal(meta.status, 200, JSON.stringify(meta.json));
    return path;
  }

  before(async () => {
    plane = await createTestPlane();
    v1 = (await call('GET', SCHEMA)).json;
  });

  after(async () => {
    await plane?.close();
  });

  test('GET / , /model and /capabilities describe the registry and declare the ingestion extension', async () => {
    const root = await call('GET', '/');
    assert.equal(root.status, 200);
    assert.equal(root.json.specversion, '1.0-rc4');
    assert.equal(root.json.schemagroupscount, 1);
    assert.equal(root.json.messagegroupscount, 1);
    assert.equal(root.json.schemagroupsurl, `${plane.registryUrl}/schemagroups`);
    const model = await call('GET', '/model');
    assert.equal(model.json.groups.messagegroups.resources.messages.attributes.ingestion.type, 'object');
    const capabilities = await call('GET', '/capabilities');
    assert.ok(capabilities.json.compatibilities['avro*'].includes('backward_transitive'));
  });

  test('a schema without $details is its document; with $details its metadata', async () => {
    const document = await call('GET', SCHEMA);
    assert.equal(document.status, 200);
    assert.equal(document.json.name, 'MetricCpuUsageEvent');
    assert.equal(document.headers.get('xregistry-versionid'), '1');
    assert.equal(document.headers.get('xregistry-schemaid'), 'cpu-usage');
    const details = await call('GET', `${SCHEMA}$details?inline=meta`);
    assert.equal(details.json.versionid, '1');
    assert.equal(details.json.versionscount, 1);
    assert.equal(details.json.xid, SCHEMA);
    assert.equal(details.json.meta.compatibility, 'backward');
    assert.match(details.json.fingerprint, /^[0-9a-f]{16}$/);
  });

  test('writes need the token; a wrong or missing one is a 401 problem document', async () => {
    const schema = await freshSchema('token');
    assertProblem(await call('PATCH', `${schema}/meta`, { body: { compatibility: 'none' }, token: null }), 401, 'unauthorized');
    assertProblem(await call('PATCH', `${schema}/meta`, { body: { compatibility: 'none' }, token: 'x'.repeat(40) }), 401, 'unauthorized');
    assert.equal((await call('GET', `${schema}/meta`)).json.compatibility, 'backward', 'the refused writes changed nothing');
  });

  test('a version that breaks backward compatibility is refused, naming the field', async () => {
    const schema = await freshSchema('breaking');
    const broken = structuredClone(v1);
    broken.fields.push({ name: 'region', type: 'string' });
    assertProblem(await call('POST', schema, { body: broken }), 400, 'compatibility_violation', /region/);
    assert.equal((await call('GET', `${schema}$details`)).json.versionscount, 1, 'nothing was stored');
  });

  test('a compatible version is accepted, becomes the default and records its ancestor', async () => {
    const schema = await freshSchema('compatible');
    const evolved = structuredClone(v1);
    evolved.fields.push({ name: 'region', type: 'string', default: 'unknown' });
    const created = await call('POST', schema, { body: evolved });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.headers.get('location'), `${plane.registryUrl}${schema}/versions/2`);
    assert.equal(created.json.ancestorid, '1');
    assert.equal(created.json.isdefault, true);
    // A numeric id of its own, which a framed event names to select this version as its writer.
    const first = (await call('GET', `${schema}/versions/1$details`)).json;
    assert.ok(Number.isInteger(created.json.numericid) && created.json.numericid !== first.numericid, `${created.json.numericid} vs ${first.numericid}`);
    assert.equal((await call('GET', `${schema}/versions/2$details`)).json.numericid, created.json.numericid);
    const versions = await call('GET', `${schema}/versions?filter=versionid=1`);
    assert.deepEqual(Object.keys(versions.json), ['1']);
    const current = await call('GET', schema);
    assert.equal(current.headers.get('xregistry-versionid'), '2');
  });

  test('epoch guards concurrent edits; PATCH on a document needs $details', async () => {
    const schema = await freshSchema('epoch');
    const meta = await call('GET', `${schema}/meta`);
    assertProblem(await call('PATCH', `${schema}/meta`, { body: { compatibility: 'full', epoch: meta.json.epoch + 5 } }), 400, 'mismatched_epoch');
    const patched = await call('PATCH', `${schema}/meta`, { body: { compatibility: 'backward_transitive', epoch: meta.json.epoch } });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.equal(patched.json.compatibility, 'backward_transitive');
    assert.equal(patched.json.epoch, meta.json.epoch + 1);
    assertProblem(await call('PATCH', schema, { body: { description: 'x' } }), 405, 'details_required');
  });

  test('invalid message definitions are refused with the reason, before anything reaches SQL', async () => {
    const path = '/messagegroups/metrics/messages/bad';
    const base = {
      protocol: 'NATS',
      protocoloptions: { subject: `${plane.runId}.bad.v1` },
      dataschemaxid: SCHEMA,
      ingestion: { sink: { kind: 'postgres', table: 'ok_table' }, deadlettersubject: `${plane.runId}dlq.bad.v1` },
    };
    assertProblem(
      await call('PUT', path, { body: { ...base, ingestion: { ...base.ingestion, sink: { kind: 'postgres', table: 'x; drop table y' } } } }),
      400,
      'invalid_data',
      /table/,
    );
    assertProblem(await call('PUT', path, { body: { ...base, ingestion: { ...base.ingestion, sink: { kind: 'kafka' } } } }), 400, 'invalid_data', /sink/);
    assertProblem(await call('PUT', path, { body: { ...base, protocoloptions: { subject: 'elsewhere.bad.v1' } } }), 400, 'invalid_data', /ingest stream/);
    assertProblem(await call('PUT', path, { body: { ...base, dataschemaxid: '/schemagroups/metrics/schemas/nope' } }), 400, 'invalid_data', /does not exist/);
    assertProblem(await call('PUT', path, { body: { ...base, routing: 'x' } }), 400, 'unknown_attribute', /routing/);
    const ok = await call('PUT', path, { body: base });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    const [table] = await plane.sql<{ exists: boolean }[]>`select to_regclass('ok_table') is not null as exists`;
    assert.equal(table!.exists, true, 'storing the message created its sink table');
    assert.equal((await call('DELETE', path)).status, 204);
  });

  test('catalogue entities of any protocol and format are stored and served as written; ingestion on one the plane cannot route is a 400 with the reason', async () => {
    const group = `catalogue-${plane.runId}`;
    const schemas = {
      Proto: { versions: { '1': { format: 'Protobuf/3', schema: 'syntax = "proto3";\nmessage Reading { string id = 1; }\n' } } },
      Json: { description: 'the schema', versions: { '1': { description: 'the version', format: 'JSONSchema/Draft-07', schema: { type: 'object' } } } },
    };
    const stored = await call('PUT', `/schemagroups/${group}`, { body: { format: 'mixed', schemas } });
    assert.equal(stored.status, 201, JSON.stringify(stored.json));
    assert.equal(stored.json.format, 'mixed');
    const proto = await fetch(`${plane.registryUrl}/schemagroups/${group}/schemas/Proto`);
    assert.equal(proto.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await proto.text(), schemas.Proto.versions['1'].schema);
    const json = (await call('GET', `/schemagroups/${group}/schemas/Json$details?inline=versions`)).json;
    assert.equal(json.description, 'the schema');
    assert.equal(json.versions['1'].description, 'the version');
    assert.equal(json.versions['1'].numericid, undefined);
    const kafka = {
      protocol: 'KAFKA',
      protocoloptions: { topic: 'readings', key: '{id}', headers: { kind: { name: 'kind', value: 'reading' } } },
      envelope: 'CloudEvents/1.0',
      envelopemetadata: { type: { value: 'Reading' } },
      dataschemaformat: 'JSONSchema/Draft-07',
      dataschemauri: `/schemagroups/${group}/schemas/Json`,
    };
    const message = `/messagegroups/${group}/messages/Reading`;
    const created = await call('PUT', message, { body: kafka });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const { messageid, self, xid, epoch, createdat, modifiedat, ...asWritten } = created.json;
    assert.deepEqual(asWritten, kafka);
    assert.deepEqual([messageid, self, xid, epoch], ['Reading', `${plane.registryUrl}${message}`, message, 1]);
    assert.ok(createdat && modifiedat);
    const ingestion = { sink: { kind: 'postgres', table: 'never_created' }, deadlettersubject: `${plane.runId}dlq.never.v1` };
    assertProblem(
      await call('PUT', message, { body: { ...kafka, ingestion } }),
      400,
      'invalid_data',
      /"ingestion" asks the plane to route this message, which it cannot: protocol "KAFKA": the plane consumes only NATS; schema format "JSONSchema\/Draft-07": the plane decodes only Avro/,
    );
    assert.deepEqual((await call('GET', message)).json.protocoloptions, kafka.protocoloptions, 'the refused write changed nothing');
    assert.equal((await call('DELETE', `/messagegroups/${group}`)).status, 204);
    assert.equal((await call('DELETE', `/schemagroups/${group}`)).status, 204);
  });

  test('ingest registry check-compat reads the registry over HTTP and fails CI on a breaking schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-compat-'));
    try {
      const ok = structuredClone(v1);
      ok.fields.push({ name: 'rack', type: ['null', 'string'], default: null });
      const bad = structuredClone(v1);
      bad.fields.push({ name: 'rack', type: 'string' });
      await writeFile(join(dir, 'ok.avsc'), JSON.stringify(ok));
      await writeFile(join(dir, 'bad.avsc'), JSON.stringify(bad));
      const cli = (file: string) =>
        run(process.execPath, [join(ROOT, 'bin/ingest.mjs'), 'registry', 'check-compat', SCHEMA, join(dir, file)], {
          env: { PATH: process.env.PATH, REGISTRY_URL: plane.registryUrl },
        }).then(
          ({ stdout }) => ({ code: 0, stdout }),
          (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
        );
      const good = await cli('ok.avsc');
      assert.equal(good.code, 0, good.stdout);
      assert.match(good.stdout, /^compatible/);
      const breaking = await cli('bad.avsc');
      assert.equal(breaking.code, 1, breaking.stdout);
      assert.match(breaking.stdout, /INCOMPATIBLE[\s\S]*rack/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('unknown paths and entities are 404 problem documents', async () => {
    assertProblem(await call('GET', '/nothing'), 404, 'api_not_found');
    assertProblem(await call('GET', '/schemagroups/none'), 404, 'not_found');
    assertProblem(await call('GET', `${SCHEMA}/versions/99`), 404, 'not_found');
  });

  test('deleting the default version makes the newest remaining one the default', async () => {
    const schema = await freshSchema('default');
    for (const field of ['region', 'zone']) {
      const evolved = structuredClone((await call('GET', schema)).json);
      evolved.fields.push({ name: field, type: ['null', 'string'], default: null });
      assert.equal((await call('POST', schema, { body: evolved })).status, 201);
    }
    assert.equal((await call('GET', schema)).headers.get('xregistry-versionid'), '3');
    assert.equal((await call('DELETE', `${schema}/versions/3`)).status, 204);
    // 2, not 1: the newest of those left.
    assert.equal((await call('GET', schema)).headers.get('xregistry-versionid'), '2');
    assert.deepEqual(Object.keys((await call('GET', `${schema}/versions`)).json).sort(), ['1', '2']);
  });

  test('importing an export into an empty registry recreates it exactly', async () => {
    // A schema with two versions, so the export carries version history, not only the seed.
    const schema = await freshSchema('exported');
    const evolved = structuredClone(v1);
    evolved.fields.push({ name: 'zone', type: ['null', 'string'], default: null });
    assert.equal((await call('POST', schema, { body: evolved })).status, 201);
    const exported = (await call('GET', '/export')).json;
    assert.deepEqual(Object.keys(exported.schemagroups.metrics.schemas[schema.split('/').at(-1)!].versions).sort(), ['1', '2']);
    const target = await createTestDatabase(`ingest_${uniqueRunId()}`);
    const sql = createSql(target.url, { max: 2, applicationName: 'ingest-test' });
    try {
      await migrateRegistry(sql, MIGRATIONS_DIR);
      const service = createRegistryService(sql, { ingest: plane.bridgeConfig.nats.ingest.subjects, deadLetter: plane.bridgeConfig.nats.deadLetter.subjects });
      await service.import(structuredClone(exported));
      assert.deepEqual(await service.export(), exported);
    } finally {
      await sql.end({ timeout: 5 });
      await target.drop();
    }
  });
});
