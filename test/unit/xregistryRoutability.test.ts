import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyMessage, type RoutingFacts, routingObstacles, schemaReference } from '../../shared/xregistry/index.ts';

const AVRO = { format: 'Avro/1.12', inline: true } as const;
const ROUTABLE: RoutingFacts = { protocol: 'NATS', schema: { kind: 'registry', xid: '/schemagroups/g/schemas/s' }, version: AVRO };

describe('what the plane routes: a NATS message with an Avro schema here and an ingestion attribute', () => {
  test('a NATS message reading an inline Avro schema with ingestion is routed', () => {
    assert.deepEqual(classifyMessage(ROUTABLE, true), { routed: true });
    // A definition that names no protocol has always meant a NATS subject.
    assert.deepEqual(classifyMessage({ ...ROUTABLE, protocol: undefined }, true), { routed: true });
    assert.deepEqual(classifyMessage({ ...ROUTABLE, protocol: 'nats' }, true), { routed: true });
    assert.deepEqual(classifyMessage({ ...ROUTABLE, version: { format: 'avro/1.9.0', inline: true } }, true), { routed: true });
  });

  test('without ingestion the same message is catalogue, saying so', () => {
    assert.deepEqual(classifyMessage(ROUTABLE, false), { routed: false, reasons: ['no ingestion attribute'] });
  });

  test('each obstacle is named: protocol, schema format, schema outside the registry, inline, missing or absent', () => {
    const cases: [Partial<RoutingFacts>, string][] = [
      [{ protocol: 'KAFKA' }, 'protocol "KAFKA": the plane consumes only NATS'],
      [{ protocol: 'MQTT/5.0' }, 'protocol "MQTT/5.0": the plane consumes only NATS'],
      [{ version: { format: 'JSONSchema/Draft-07', inline: true } }, 'schema format "JSONSchema/Draft-07": the plane decodes only Avro'],
      [{ version: { format: 'Protobuf/3', inline: true } }, 'schema format "Protobuf/3": the plane decodes only Avro'],
      [
        { version: { format: 'Avro/1.11', inline: false } },
        'schema /schemagroups/g/schemas/s has no inline Avro document (only a URL), so the plane cannot decode with it',
      ],
      [{ version: undefined }, 'schema /schemagroups/g/schemas/s does not exist in this registry'],
      [
        { schema: { kind: 'external', uri: 'https://x.example/s.avsc' } },
        'schema https://x.example/s.avsc is outside this registry: the plane reads schemas from this registry',
      ],
      [{ schema: { kind: 'inline' } }, 'an inline dataschema: the plane reads schemas from this registry (use dataschemaxid)'],
      [{ schema: { kind: 'none' } }, 'no schema: the plane needs dataschemaxid naming an Avro schema in this registry'],
    ];
    for (const [change, reason] of cases) {
      assert.deepEqual(routingObstacles({ ...ROUTABLE, ...change }), [reason], reason);
      assert.deepEqual(classifyMessage({ ...ROUTABLE, ...change }, true), { routed: false, reasons: [reason] });
      assert.deepEqual(classifyMessage({ ...ROUTABLE, ...change }, false), { routed: false, reasons: ['no ingestion attribute', reason] });
    }
  });

  test('every obstacle at once is listed, protocol first', () => {
    assert.deepEqual(routingObstacles({ ...ROUTABLE, protocol: 'KAFKA', version: { format: 'JSONSchema/Draft-07', inline: true } }), [
      'protocol "KAFKA": the plane consumes only NATS',
      'schema format "JSONSchema/Draft-07": the plane decodes only Avro',
    ]);
  });

  test('the schema a message names: dataschemaxid first, else a relative dataschemauri (its fragment dropped), else absolute, inline or none', () => {
    assert.deepEqual(schemaReference({ dataschemaxid: '/schemagroups/g/schemas/s', dataschemauri: 'https://x.example/s' }), {
      kind: 'registry',
      xid: '/schemagroups/g/schemas/s',
    });
    assert.deepEqual(schemaReference({ dataschemauri: '/schemagroups/g/schemas/s/versions/1#Payload' }), {
      kind: 'registry',
      xid: '/schemagroups/g/schemas/s/versions/1',
    });
    assert.deepEqual(schemaReference({ dataschemauri: 'https://x.example/s.proto' }), { kind: 'external', uri: 'https://x.example/s.proto' });
    assert.deepEqual(schemaReference({ dataschema: { type: 'object' } }), { kind: 'inline' });
    assert.deepEqual(schemaReference({}), { kind: 'none' });
  });
});
