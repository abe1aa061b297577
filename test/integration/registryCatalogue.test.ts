import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR, ROOT } from '../../cli/paths.ts';
import { handleRegistryRequest } from '../../shared/registryApi/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { findRouteBySubject } from '../../shared/routes/index.ts';
import { createRegistryService, exportDifferences, migrateRegistry, type RegistryService, XRegistryError } from '../../shared/xregistry/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { runIngest } from '../helpers/ingestCli.ts';
import { uniqueRunId } from '../helpers/names.ts';

const FIXTURES = join(ROOT, 'test/fixtures/xregistry');
// The routed fixture's subjects; each test has a database of its own, so these never meet another run's.
const FILTERS = { ingest: ['fixture.>'], deadLetter: ['fixturedlq.>'] };

type Json = Record<string, unknown>;

const CLI_ENV = (url: string): Record<string, string> => ({
  DATABASE_URL: url,
  INGEST_SUBJECTS: 'fixture.>',
  DEADLETTER_SUBJECTS: 'fixturedlq.>',
  DEADLETTER_DEFAULT_SUBJECT: 'fixturedlq.unrouted',
});

async function fixture(name: string): Promise<Json> {
  return JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as Json;
}

/** A migrated database of its own and the registry service over it. */
async function freshRegistry(): Promise<{ url: string; sql: Sql; service: RegistryService; close: () => Promise<void> }> {
  const database = await createTestDatabase(`ingest_${uniqueRunId()}`);
  const sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
  await migrateRegistry(sql, MIGRATIONS_DIR);
  return {
    url: database.url,
    sql,
    service: createRegistryService(sql, FILTERS),
    async close() {
      await sql.end({ timeout: 5 }).catch(() => {});
      await database.drop();
    },
  };
}

async function refusal(work: Promise<unknown>): Promise<XRegistryError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof XRegistryError, `expected a registry error, got ${String(error)}`);
  return error;
}

describe('a registry that stores every conforming xRegistry document and routes a subset (registry service, real PostgreSQL)', () => {
  for (const name of ['catalogue.xreg.json', 'routed.xreg.json']) {
    test(`${name} imports and exports unchanged, and importing the export again changes nothing`, async () => {
      const registry = await freshRegistry();
      try {
        const document = await fixture(name);
        await registry.service.import(structuredClone(document));
        const exported = await registry.service.export();
        assert.deepEqual(exportDifferences(document, exported), []);
        await registry.service.import(structuredClone(exported));
        assert.deepEqual(await registry.service.export(), exported);
      } finally {
        await registry.close();
      }
    });
  }

  describe('with the routed fixture loaded', () => {
    let registry: Awaited<ReturnType<typeof freshRegistry>>;

    before(async () => {
      registry = await freshRegistry();
      await registry.service.import(await fixture('routed.xreg.json'));
    });

    after(async () => {
      await registry?.close();
    });

    test('only the NATS message with an Avro schema and ingestion is a route; the data path finds nothing for the catalogue ones', async () => {
      const route = await findRouteBySubject(registry.sql, 'fixture.tree-watered.v1');
      assert.equal(route?.messageXid, '/messagegroups/Orchard/messages/Orchard.TreeWatered');
      assert.deepEqual(route?.sinks, [{ kind: 'postgres', table: 'fixture_tree_watered' }]);
      assert.equal(route?.wireFormat, 'raw');
      assert.equal(await findRouteBySubject(registry.sql, 'fixture.tree-watered-audit.v1'), undefined);
      const [table] = await registry.sql<{ exists: boolean }[]>`select to_regclass('fixture_tree_watered') is not null as exists`;
      assert.equal(table!.exists, true, 'the route got its sink table');
      const judged = Object.fromEntries((await registry.service.routing()).map(({ message, routing }) => [message.messageid, routing]));
      assert.deepEqual(judged, {
        'Orchard.TreeWatered': { routed: true },
        'Orchard.TreeWateredAudit': { routed: false, reasons: ['no ingestion attribute'] },
        'Orchard.TreeWateredExport': { routed: false, reasons: ['no ingestion attribute', 'protocol "KAFKA": the plane consumes only NATS'] },
      });
    });

    test('ingest registry list shows each message as routed or catalogue, with the reason', async () => {
      const result = await runIngest(['registry', 'list'], CLI_ENV(registry.url));
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split('\n');
      assert.deepEqual(lines, [
        'message\tplane\tsubject\tdataschemaxid\tsink\tdeadlettersubject\twireformat\treason',
        '/messagegroups/Orchard/messages/Orchard.TreeWatered\trouted\tfixture.tree-watered.v1\t/schemagroups/Orchard/schemas/TreeWatered\tpostgres:fixture_tree_watered\tfixturedlq.tree-watered.v1\traw\t-',
        '/messagegroups/Orchard/messages/Orchard.TreeWateredAudit\tcatalogue\tfixture.tree-watered-audit.v1\t/schemagroups/Orchard/schemas/TreeWatered/versions/1\t-\t-\t-\tno ingestion attribute',
        '/messagegroups/Orchard.Export/messages/Orchard.TreeWateredExport\tcatalogue\torchard\t/schemagroups/Orchard/schemas/TreeWatered\t-\t-\t-\tno ingestion attribute; protocol "KAFKA": the plane consumes only NATS',
      ]);
      const json = await runIngest(['registry', 'list', '--json'], CLI_ENV(registry.url));
      assert.equal(json.code, 0, json.stderr);
      const listed = JSON.parse(json.stdout) as { message: string; plane: string; reasons?: string[] }[];
      assert.deepEqual(
        listed.map((entry) => [entry.message.split('/').at(-1), entry.plane, entry.reasons]),
        [
          ['Orchard.TreeWatered', 'routed', undefined],
          ['Orchard.TreeWateredAudit', 'catalogue', ['no ingestion attribute']],
          ['Orchard.TreeWateredExport', 'catalogue', ['no ingestion attribute', 'protocol "KAFKA": the plane consumes only NATS']],
        ],
      );
    });

    test('ingestion on a message the plane cannot route is refused with the reason, through PUT and through import, and nothing changes', async () => {
      const before = await registry.service.export();
      const ingestion = { sink: { kind: 'postgres', table: 'fixture_refused' }, deadlettersubject: 'fixturedlq.refused.v1' };
      const kafka = await refusal(
        registry.service.putMessage(
          'Orchard.Export',
          'Refused.Kafka',
          { protocol: 'KAFKA', protocoloptions: { topic: 'orchard' }, dataschemaxid: '/schemagroups/Orchard/schemas/TreeWatered', ingestion },
          false,
        ),
      );
      assert.equal(kafka.status, 400);
      assert.equal(kafka.code, 'invalid_data');
      assert.match(kafka.message, /"ingestion" asks the plane to route this message, which it cannot: protocol "KAFKA": the plane consumes only NATS/);
      // A message without a protocol of its own inherits its group's.
      const inherited = await refusal(
        registry.service.putMessage(
          'Orchard.Export',
          'Refused.Inherited',
          { protocoloptions: { subject: 'fixture.inherited.v1' }, dataschemaxid: '/schemagroups/Orchard/schemas/TreeWatered', ingestion },
          false,
        ),
      );
      assert.match(inherited.message, /protocol "KAFKA"/);
      await registry.service.putGroup(
        'schemagroups',
        'Refused',
        { schemas: { Json: { versions: { '1': { format: 'JSONSchema/Draft-07', schema: { type: 'object', properties: { id: { type: 'string' } } } } } } } },
        false,
      );
      const jsonSchema = {
        protocol: 'NATS',
        protocoloptions: { subject: 'fixture.json.v1' },
        dataschemaxid: '/schemagroups/Refused/schemas/Json',
        ingestion,
      };
      const json = await refusal(registry.service.putMessage('Orchard', 'Refused.Json', jsonSchema, false));
      assert.match(json.message, /which it cannot: schema format "JSONSchema\/Draft-07": the plane decodes only Avro/);
      const external = await refusal(
        registry.service.putMessage(
          'Orchard',
          'Refused.External',
          { protocoloptions: { subject: 'fixture.external.v1' }, dataschemauri: 'https://schemas.example.net/tree.avsc', ingestion },
          false,
        ),
      );
      assert.match(external.message, /schema https:\/\/schemas\.example\.net\/tree\.avsc is outside this registry/);
      const viaImport = await refusal(
        registry.service.import({ messagegroups: { Orchard: { messages: { 'Refused.Json': jsonSchema } } }, schemagroups: { Extra: { schemas: {} } } }),
      );
      assert.match(viaImport.message, /schema format "JSONSchema\/Draft-07"/);
      const after = await registry.service.export();
      assert.deepEqual(after.messagegroups, before.messagegroups, 'no refused message was stored');
      assert.equal((after.schemagroups as Json).Extra, undefined, 'the refused import changed nothing');
      const [table] = await registry.sql<{ exists: boolean }[]>`select to_regclass('fixture_refused') is not null as exists`;
      assert.equal(table!.exists, false, 'no sink table for a refused route');
    });

    test('a schema a route reads cannot turn into another format; a catalogue reader does not hold a schema', async () => {
      const turned = await refusal(
        registry.service.putVersion('Orchard', 'TreeWatered', '3', { attributes: { format: 'JSONSchema/Draft-07' }, document: { type: 'object' } }),
      );
      assert.match(turned.message, /format "JSONSchema\/Draft-07" and the schema's other versions' "Avro\/1.12" differ/);
      await registry.service.putGroup(
        'schemagroups',
        'Loose',
        { schemas: { Proto: { versions: { '1': { format: 'Protobuf/3', schema: 'syntax = "proto3";' } } } } },
        false,
      );
      await registry.service.putMessage('Orchard.Export', 'Loose.Reader', { protocol: 'KAFKA', dataschemaxid: '/schemagroups/Loose/schemas/Proto' }, false);
      await registry.service.deleteSchema('Loose', 'Proto');
      assert.equal((await registry.service.message('Orchard.Export', 'Loose.Reader', '')).dataschemaxid, '/schemagroups/Loose/schemas/Proto');
    });
  });

  test('only Avro versions stored inline get a fingerprint and a numeric id; the API serves each document as written', async () => {
    const registry = await freshRegistry();
    try {
      await registry.service.import(await fixture('catalogue.xreg.json'));
      const deps = { service: registry.service, writeToken: 'test-token', publicUrl: 'http://registry.test', corsOrigins: [] };
      const get = (path: string) => handleRegistryRequest({ method: 'GET', path, query: '', headers: {}, body: undefined }, deps);
      const avro = JSON.parse((await get('/schemagroups/Greenhouse/schemas/CratePacked/versions/1$details')).body) as Json;
      assert.match(String(avro.fingerprint), /^[0-9a-f]{16}$/);
      assert.ok(Number.isInteger(avro.numericid));
      for (const path of ['Humidity/versions/2', 'ValveCommand/versions/1', 'CalibrationProto/versions/v1.0', 'Binary/versions/1']) {
        const details = JSON.parse((await get(`/schemagroups/Greenhouse/schemas/${path}$details`)).body) as Json;
        assert.equal(details.fingerprint, undefined, path);
        assert.equal(details.numericid, undefined, path);
      }
      const proto = await get('/schemagroups/Greenhouse/schemas/ValveCommand/versions/1');
      assert.equal(proto.status, 200);
      assert.equal(proto.headers['content-type'], 'text/plain; charset=utf-8');
      assert.match(proto.body, /^syntax = "proto3";\npackage greenhouse;/);
      const xsd = await get('/schemagroups/Greenhouse/schemas/Heartbeat');
      assert.equal(xsd.headers['content-type'], 'application/xml');
      assert.match(xsd.body, /^<xs:schema/);
      const elsewhere = await get('/schemagroups/Greenhouse/schemas/CalibrationProto/versions/v1.0');
      assert.equal(elsewhere.status, 303);
      assert.equal(elsewhere.headers.location, 'https://schemas.example.net/greenhouse/calibration.proto');
      const jsonSchema = await get('/schemagroups/Greenhouse/schemas/Humidity');
      assert.equal((JSON.parse(jsonSchema.body) as Json).title, 'Humidity');
      const endpoint = JSON.parse((await get('/endpoints/Greenhouse.Kafka')).body) as Json;
      assert.deepEqual(endpoint.protocoloptions, { topic: 'harvest', partition: 2, consumergroup: 'packers' });
      assert.equal(endpoint.self, 'http://registry.test/endpoints/Greenhouse.Kafka');
    } finally {
      await registry.close();
    }
  });
});
