import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { EXAMPLE_REGISTRY, MIGRATIONS_DIR } from '../../cli/paths.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { registryApiDeps } from '../../shared/wiring/registryApi.ts';
import { loadHttpSinkPolicy, loadRegistryApiConfig } from '../../shared/config/index.ts';
import { findRouteBySubject } from '../../shared/routes/index.ts';
import { registryModel, type RegistryService, XRegistryError } from '../../shared/xregistry/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';

/** The registry-api deployment's variables that decide which sinks a route may have. */
const DEPLOYMENT = {
  INGEST_SUBJECTS: 'metrics.>,telemetry.>',
  DEADLETTER_SUBJECTS: 'deadletter.>',
  HTTP_SINK_ALLOWED_HOSTS: 'api.example.com,*.hooks.example.org',
};

function message(subject: string, sink: unknown): Record<string, unknown> {
  return {
    protocol: 'NATS',
    protocoloptions: { subject },
    dataschemaxid: '/schemagroups/metrics/schemas/cpu-usage',
    ingestion: { sink, deadlettersubject: `deadletter.${subject}` },
  };
}

describe('sink targets in the registry (real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Sql;
  let service: RegistryService;

  /** The registry service exactly as the registry-api function builds it from these variables. */
  const deployedService = (env: Record<string, string>): RegistryService =>
    registryApiDeps(loadRegistryApiConfig({ DATABASE_URL: database.url, ...env }), loadHttpSinkPolicy(env), sql).service;

  async function rejects(subject: string, sink: unknown, pattern: RegExp, registry = service): Promise<void> {
    await assert.rejects(registry.putMessage('metrics', subject, message(subject, sink), false), (error: unknown) => {
      assert.ok(error instanceof XRegistryError, String(error));
      assert.match(error.message, pattern);
      return true;
    });
    assert.equal(await findRouteBySubject(sql, subject), undefined, 'nothing stored');
  }

  before(async () => {
    database = await createTestDatabase(`ingest_${uniqueRunId()}`);
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    await migrateRegistry(sql, MIGRATIONS_DIR);
    service = deployedService(DEPLOYMENT);
    const example = JSON.parse(await readFile(EXAMPLE_REGISTRY, 'utf8')) as { schemagroups: unknown };
    await service.import({ schemagroups: example.schemagroups });
  });

  after(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  test('a postgres sink with mapped columns is stored and its table created with types from the schema', async () => {
    const sink = { kind: 'postgres', table: 'cpu_values', columns: { value: 'data.value', unit: 'data.unit', tags: 'data.tags', host: 'source' } };
    await service.putMessage('metrics', 'metrics.cpu.mapped.v1', message('metrics.cpu.mapped.v1', sink), false);
    const route = await findRouteBySubject(sql, 'metrics.cpu.mapped.v1');
    assert.deepEqual(route?.sinks, [sink]);
    const columns = await sql<{ column_name: string; data_type: string }[]>`
      select column_name, data_type from information_schema.columns where table_name = 'cpu_values' order by ordinal_position`;
    assert.deepEqual(
      columns.map((c) => `${c.column_name}:${c.data_type}`),
      [
        'event_id:text',
        'event_time:timestamp with time zone',
        'value:double precision',
        'unit:text',
        'tags:jsonb',
        'host:text',
        'ingested_at:timestamp with time zone',
      ],
    );
  });

  test('mapped columns must name identifiers and paths the schema has', async () => {
    await rejects('metrics.cpu.badpath.v1', { kind: 'postgres', table: 't1', columns: { v: 'data.nothing' } }, /no field "nothing"/);
    await rejects('metrics.cpu.badcol.v1', { kind: 'postgres', table: 't1', columns: { 'V"x': 'data.value' } }, /lower-case identifier/);
    await rejects('metrics.cpu.intomap.v1', { kind: 'postgres', table: 't1', columns: { host: 'data.tags.host' } }, /map, not a record/);
  });

  test('an http sink is stored only for an allowed host and a public literal address', async () => {
    const sink = { kind: 'http', url: 'https://api.example.com/v1/events', mode: 'batch', timeoutms: 3000 };
    await service.putMessage('metrics', 'metrics.cpu.http.v1', message('metrics.cpu.http.v1', sink), false);
    assert.deepEqual((await findRouteBySubject(sql, 'metrics.cpu.http.v1'))?.sinks, [sink]);
    await service.putMessage(
      'metrics',
      'metrics.cpu.hook.v1',
      message('metrics.cpu.hook.v1', { kind: 'http', url: 'https://a.hooks.example.org/in', mode: 'event' }),
      false,
    );
    await rejects(
      'metrics.cpu.evil.v1',
      { kind: 'http', url: 'https://evil.example.com/', mode: 'batch' },
      /host evil\.example\.com is not in HTTP_SINK_ALLOWED_HOSTS/,
    );
    await rejects('metrics.cpu.creds.v1', { kind: 'http', url: 'https://u:p@api.example.com/', mode: 'batch' }, /must not carry credentials/);
    await rejects('metrics.cpu.hdr.v1', { kind: 'http', url: 'https://api.example.com/', mode: 'batch', headers: {} }, /unknown attribute "headers"/);
    const { HTTP_SINK_ALLOWED_HOSTS: _allowed, ...withoutHosts } = DEPLOYMENT;
    await rejects('metrics.cpu.nopolicy.v1', sink, /HTTP sinks are not enabled here: HTTP_SINK_ALLOWED_HOSTS is not set/, deployedService(withoutHosts));
    const loopback = deployedService({ ...DEPLOYMENT, HTTP_SINK_ALLOWED_HOSTS: '127.0.0.1:8080' });
    await rejects(
      'metrics.cpu.loopback.v1',
      { kind: 'http', url: 'http://127.0.0.1:8080/', mode: 'event' },
      /127\.0\.0\.1 is a loopback address; HTTP_SINK_ALLOW_PRIVATE_NETWORKS is off/,
      loopback,
    );
  });

  test('a nats sink may not point back into the ingest or dead-letter stream', async () => {
    await service.putMessage('metrics', 'metrics.cpu.nats.v1', message('metrics.cpu.nats.v1', { kind: 'nats', subject: 'enriched.cpu.usage' }), false);
    assert.deepEqual((await findRouteBySubject(sql, 'metrics.cpu.nats.v1'))?.sinks, [{ kind: 'nats', subject: 'enriched.cpu.usage' }]);
    await rejects(
      'metrics.cpu.loop.v1',
      { kind: 'nats', subject: 'metrics.cpu.loop.v1' },
      /captured by the ingest stream \(metrics\.>\): that would be a loop/,
    );
    // INGEST_SUBJECTS as configured, not the default (metrics.>).
    await rejects(
      'metrics.cpu.tloop.v1',
      { kind: 'nats', subject: 'telemetry.cpu' },
      /telemetry\.cpu is captured by the ingest stream \(telemetry\.>\): that would be a loop/,
    );
    await rejects('metrics.cpu.dlq.v1', { kind: 'nats', subject: 'deadletter.x' }, /captured by the dead-letter stream/);
    await rejects('metrics.cpu.s3.v1', { kind: 's3', bucket: 'x' }, /ingestion\.sink\.kind must be one of "postgres", "http", "nats"/);
  });

  test('a stored sink edited by hand into something invalid is read back as InvalidSink', async () => {
    // Routes of this test's own, so it does not rely on what the tests before it stored.
    const http = { kind: 'http', url: 'https://api.example.com/v1/edited', mode: 'batch' };
    await service.putMessage('metrics', 'metrics.cpu.edithttp.v1', message('metrics.cpu.edithttp.v1', http), false);
    const mapped = { kind: 'postgres', table: 'edited_values', columns: { value: 'data.value' } };
    await service.putMessage('metrics', 'metrics.cpu.editmapped.v1', message('metrics.cpu.editmapped.v1', mapped), false);
    await sql`
      update xr_messages set ingestion = jsonb_set(ingestion, '{sink,url}', '"file:///etc/passwd"')
      where subject = 'metrics.cpu.edithttp.v1'`;
    const route = await findRouteBySubject(sql, 'metrics.cpu.edithttp.v1');
    assert.equal(route?.sinks.length, 1);
    const [sink] = route.sinks;
    assert.equal(sink?.kind, 'invalid');
    assert.match(sink?.kind === 'invalid' ? sink.problem : '', /http:\/\/ or https:\/\//);
    await sql`
      update xr_messages set ingestion = jsonb_set(ingestion, '{sink,columns}', '{"x; drop table cpu_values": "data.value"}')
      where subject = 'metrics.cpu.editmapped.v1'`;
    const edited = await findRouteBySubject(sql, 'metrics.cpu.editmapped.v1');
    assert.equal(edited?.sinks.length, 1);
    assert.equal(edited.sinks[0]?.kind, 'invalid');
  });

  test('GET /model declares every sink kind and its attributes', () => {
    const model = registryModel() as {
      groups: {
        messagegroups: {
          resources: { messages: { attributes: { ingestion: { attributes: { sink: { attributes: Record<string, { enum?: string[] }> } } } } } };
        };
      };
    };
    const sink = model.groups.messagegroups.resources.messages.attributes.ingestion.attributes.sink.attributes;
    assert.deepEqual(sink.kind?.enum, ['postgres', 'http', 'nats']);
    assert.deepEqual(Object.keys(sink).sort(), ['columns', 'kind', 'mode', 'subject', 'table', 'timeoutms', 'url']);
  });
});
