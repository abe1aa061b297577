import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sampleEvent } from '../../shared/producer/index.ts';
import { encodeAvro, frame, SchemaCache } from '../../shared/avro/index.ts';
import { createProducer } from '../../shared/producer/index.ts';
import { findRouteBySubject, type RouteRecord } from '../../shared/routes/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

// biome-ignore lint/suspicious/noExplicitAny: the test walks the registry's JSON answers by path and asserts on every value it reads.
type Json = Record<string, any>;
const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';
const BATCH = 60;

describe('schema evolution through the chain (schema-id wire format)', () => {
  let plane: TestPlane;

  before(async () => {
    plane = await createTestPlane({ wireFormat: 'schema-id' });
  });

  after(async () => {
    await plane?.close();
  });

  test('producers on v1 keep landing after a compatible v2 is registered, beside producers on v2', async () => {
    // Prepare: a producer that resolved the route while v1 was current, and keeps using it.
    const producer = createProducer(plane.js);
    const v1Route: RouteRecord = plane.route;
    const publishV1 = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) await producer.publish(v1Route, sampleEvent(v1Route));
    };
    await publishV1(BATCH);
    await waitFor(
      'v1 rows',
      () => plane.countRows(),
      (rows) => rows === BATCH,
    );

    // Act: register v2, which adds a defaulted field inside `data`.
    const v1Document = (await (await fetch(`${plane.registryUrl}${SCHEMA}`)).json()) as Json;
    const v2Document = structuredClone(v1Document);
    const data = v2Document.fields.find((field: Json) => field.name === 'data').type;
    data.fields.push({ name: 'cores', type: 'int', default: -1 });
    const created = await fetch(`${plane.registryUrl}${SCHEMA}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(v2Document),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const v2Route = (await findRouteBySubject(plane.sql, plane.route.subject))!;
    assert.notEqual(v2Route.schema.numericId, v1Route.schema.numericId);
    // Wait until the functions read with v2 (their registry cache, 500 ms in tests, has expired):
    // a v1 probe event then lands with v2's default. Probe rows are counted apart.
    const probes: string[] = [];
    await waitFor(
      'the functions to read with v2',
      async () => {
        const probe = sampleEvent(v1Route);
        probes.push(probe.id);
        await producer.publish(v1Route, probe);
        const [row] = await waitFor(
          'the probe row',
          () => plane.sql<{ cores: string | null }[]>`select payload->>'cores' as cores from metric_events where event_id = ${probe.id}`,
          (rows) => rows.length === 1,
        );
        return row!.cores;
      },
      (cores) => cores === '-1',
      30_000,
    );

    await publishV1(BATCH);
    const v2Type = new SchemaCache().get(v2Route.schema.cacheKey, v2Route.schema.definition);
    for (let i = 0; i < BATCH; i++) {
      const event = sampleEvent(v2Route) as Json;
      event.data = { ...event.data, cores: 8 };
      await producer.publish(v2Route, event as { id: string });
    }
    // A frame naming a schema id the registry never issued.
    const stray = sampleEvent(v2Route);
    await producer.publishRaw(
      plane.route.subject,
      frame('schema-id', encodeAvro(v2Type, { ...stray, data: { ...(stray.data as Json), cores: 1 } }), { schemaId: 2_000_000 }),
    );

    // Assess
    await waitFor(
      'all rows and the stray dead letter',
      async () => [await plane.countRows(), (await plane.deadLetters()).length],
      ([rows, letters]) => rows === 3 * BATCH + probes.length && letters === 1,
    );
    const cores = await plane.sql<{ cores: number | null; count: number }[]>`
      select (payload->>'cores')::int as cores, count(*)::int as count from metric_events
      where event_id <> all(${probes}::text[]) group by 1 order by 1 nulls first`;
    assert.deepEqual(
      cores.map((row) => [row.cores, row.count]),
      [
        [null, BATCH],
        [-1, BATCH],
        [8, BATCH],
      ],
      'v1 rows before v2 have no field, v1 rows after v2 get the default, v2 rows carry their value',
    );
    const [letter] = await plane.deadLetters();
    assert.equal(letter!.reason, 'unknown_schema_id');
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
    await waitFor(
      'consumer to settle',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
    );
    assert.equal(await plane.countRows(), 3 * BATCH + probes.length, 'no row beyond the events published');
  });
});
