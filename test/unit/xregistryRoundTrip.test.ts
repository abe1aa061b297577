import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exportDifferences } from '../../shared/xregistry/index.ts';

const AVRO_SCHEMA = { type: 'record', name: 'R', fields: [{ name: 'id', type: 'string' }] };

/** A document and the export a conforming server may answer for it. */
function pair(): { document: Record<string, unknown>; exported: Record<string, unknown> } {
  const document = {
    $schema: 'https://example.org/x.json',
    messagegroups: { g: { protocol: 'KAFKA', messages: { m: { protocol: 'KAFKA', protocoloptions: { topic: 't', partition: 1 } } } } },
    schemagroups: {
      s: {
        format: 'mixed',
        schemas: {
          avro: { description: 'resource', versions: { '1': { format: 'Avro/1.11', description: 'v1', schema: AVRO_SCHEMA } } },
          proto: { versions: { '1': { format: 'Protobuf/3', schema: 'syntax = "proto3";' } } },
        },
      },
    },
  };
  const common = { epoch: 1, createdat: '2026-01-01T00:00:00.000Z', modifiedat: '2026-01-01T00:00:00.000Z' };
  const avroVersion = {
    schemaid: 'avro',
    versionid: '1',
    xid: '/schemagroups/s/schemas/avro/versions/1',
    ...common,
    isdefault: true,
    format: 'Avro/1.11',
    contenttype: 'application/json',
    ancestorid: '1',
    fingerprint: '0011223344556677',
    numericid: 7,
    description: 'v1',
    schema: AVRO_SCHEMA,
  };
  const exported = {
    specversion: '1.0-rc4',
    registryid: 'ingest',
    xid: '/',
    ...common,
    schemagroupscount: 1,
    messagegroupscount: 1,
    endpointscount: 0,
    endpoints: {},
    messagegroups: {
      g: {
        messagegroupid: 'g',
        xid: '/messagegroups/g',
        ...common,
        protocol: 'KAFKA',
        messagescount: 1,
        messages: { m: { messageid: 'm', xid: '/messagegroups/g/messages/m', ...common, protocol: 'KAFKA', protocoloptions: { partition: 1, topic: 't' } } },
      },
    },
    schemagroups: {
      s: {
        schemagroupid: 's',
        xid: '/schemagroups/s',
        ...common,
        format: 'mixed',
        schemascount: 2,
        schemas: {
          avro: {
            ...avroVersion,
            description: 'resource',
            xid: '/schemagroups/s/schemas/avro',
            versionscount: 1,
            meta: {
              schemaid: 'avro',
              xid: '/schemagroups/s/schemas/avro/meta',
              ...common,
              compatibility: 'none',
              defaultversionid: '1',
              defaultversionsticky: false,
            },
            versions: { '1': avroVersion },
          },
          proto: {
            schemaid: 'proto',
            versionid: '1',
            xid: '/schemagroups/s/schemas/proto',
            ...common,
            isdefault: true,
            format: 'Protobuf/3',
            ancestorid: '1',
            schema: 'syntax = "proto3";',
            versionscount: 1,
            meta: {
              schemaid: 'proto',
              xid: '/schemagroups/s/schemas/proto/meta',
              ...common,
              compatibility: 'none',
              defaultversionid: '1',
              defaultversionsticky: false,
            },
            versions: {
              '1': {
                schemaid: 'proto',
                versionid: '1',
                xid: '/schemagroups/s/schemas/proto/versions/1',
                ...common,
                isdefault: true,
                format: 'Protobuf/3',
                ancestorid: '1',
                schema: 'syntax = "proto3";',
              },
            },
          },
        },
      },
    },
  };
  return { document, exported };
}

describe('what "exports unchanged" allows: only the attributes rc4 lets a server add', () => {
  test('server attributes, a lost root $schema, key order and the default version at the resource level are no difference', () => {
    const { document, exported } = pair();
    assert.deepEqual(exportDifferences(document, exported), []);
  });

  test('a changed value, a missing attribute, a missing entity and an added attribute are each named', () => {
    const { document, exported } = pair();
    const groups = exported.messagegroups as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    groups.g!.messages!.m!.protocoloptions = { topic: 't', partition: 2 };
    delete (groups.g as Record<string, unknown>).protocol;
    groups.g!.messages!.m!.ingestion = { deadlettersubject: 'x' };
    const schemas = (exported.schemagroups as Record<string, Record<string, Record<string, Record<string, unknown>>>>).s!.schemas!;
    delete schemas.proto;
    schemas.avro!.description = 'v1';
    assert.deepEqual(exportDifferences(document, exported), [
      '/messagegroups/g/protocol: missing from the export',
      '/messagegroups/g/messages/m/protocoloptions: {"topic":"t","partition":1} was exported as {"topic":"t","partition":2}',
      '/messagegroups/g/messages/m: the export adds "ingestion" ({"deadlettersubject":"x"})',
      '/schemagroups/s/schemas/avro/description: "resource" was exported as "v1"',
      '/schemagroups/s/schemas/proto: missing from the export',
    ]);
  });

  test("a fingerprint and numeric id are the plane's own, but application/json is added only to Avro", () => {
    const { document, exported } = pair();
    const proto = (exported.schemagroups as Record<string, Record<string, Record<string, Record<string, Record<string, Record<string, unknown>>>>>>).s!.schemas!
      .proto!.versions!['1']!;
    proto.contenttype = 'application/json';
    assert.deepEqual(exportDifferences(document, exported), ['/schemagroups/s/schemas/proto/versions/1: the export adds "contenttype" ("application/json")']);
  });

  test('an entity the document does not have is a difference', () => {
    const { document, exported } = pair();
    (exported.endpoints as Record<string, unknown>).e = { endpointid: 'e' };
    ((exported.messagegroups as Record<string, Record<string, Record<string, unknown>>>).g!.messages as Record<string, unknown>).extra = { messageid: 'extra' };
    assert.deepEqual(exportDifferences(document, exported), [
      '/messagegroups/g/messages/extra: in the export but not in the document',
      '/: the export adds "endpoints" ({"e":{"endpointid":"e"}})',
    ]);
  });
});
