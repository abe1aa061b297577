import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createProducer } from '../../shared/producer/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

// Frames and bodies written by real Avro implementations (test/fixtures/interop/generate.sh), not
// by this project's code, published to a whole plane per wire format: each must become exactly
// one row with the values the implementation was given.

type Values = {
  readonly id: string;
  readonly type: string;
  readonly version: string;
  readonly source: string;
  readonly time: number;
  readonly data: Readonly<Record<string, unknown>>;
};
type Encoded = { readonly values: Values; readonly raw: string; readonly singleObject: string };
type Written = { readonly implementation: string; readonly versions: Record<'v1' | 'v2', { readonly events: readonly Encoded[] }> };
type Input = { readonly schemas: Record<'v1' | 'v2', unknown> };

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/interop/${name}`, import.meta.url), 'utf8')) as T;
const input = read<Input>('input.json');
const WRITTEN = ['java.json', 'python.json', 'goavro.json'].map((file) => read<Written>(file));
const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';

type Row = { event_id: string; event_type: string; event_version: string; source: string; time_ms: string; payload: Record<string, unknown> };

/** One plane for one wire format; `v2` registers the fixtures' v2 before anything is published. */
function describeFormat(wireFormat: 'raw' | 'single-object' | 'confluent', frameOf: (event: Encoded, numericId: number) => Buffer): void {
  const versions = wireFormat === 'raw' ? (['v1'] as const) : (['v1', 'v2'] as const);

  describe(`${wireFormat} frames written by Java, Python and goavro`, () => {
    let plane: TestPlane;
    const numericIds: Partial<Record<'v1' | 'v2', number>> = {};

    before(async () => {
      plane = await createTestPlane({ wireFormat });
      numericIds.v1 = plane.route.schema.numericId;
      // A raw body names no writer: it is read with the route's current version, so the raw
      // plane keeps v1 alone. The others register v2 first, so every read uses v2 as reader.
      if (versions.length === 2) {
        const created = await fetch(`${plane.registryUrl}${SCHEMA}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(input.schemas.v2),
        });
        assert.equal(created.status, 201, await created.clone().text());
        const details = (await (await fetch(`${plane.registryUrl}${SCHEMA}/versions/2$details`)).json()) as { numericid: number };
        numericIds.v2 = details.numericid;
        assert.ok(numericIds.v2 > numericIds.v1);
      }
    });

    after(async () => {
      await plane?.close();
    });

    test('each event becomes exactly one row with its id, time in ms and numbers; no dead letter, nothing doubled', async () => {
      const producer = createProducer(plane.js);
      const expected = new Map<string, { values: Values; version: 'v1' | 'v2' }>();
      for (const written of WRITTEN) {
        for (const version of versions) {
          for (const event of written.versions[version].events) {
            await producer.publishRaw(plane.route.subject, frameOf(event, numericIds[version]!), event.values.id);
            expected.set(event.values.id, { values: event.values, version });
          }
        }
      }
      assert.equal(expected.size, WRITTEN.length * versions.length * 3, 'every fixture event has its own id');

      await waitFor(
        'a row or dead letter for every event',
        async () => (await plane.countRows()) + (await plane.deadLetters()).length,
        (settled) => settled >= expected.size,
      );
      assert.deepEqual(
        (await plane.deadLetters()).map((letter) => letter.reason),
        [],
      );
      const rows = await plane.sql<Row[]>`
        select event_id, event_type, event_version, source, (extract(epoch from event_time) * 1000)::bigint::text as time_ms, payload
        from metric_events order by event_id`;
      assert.equal(rows.length, expected.size);
      for (const row of rows) {
        const { values, version } = expected.get(row.event_id)!;
        assert.deepEqual(
          [row.event_type, row.event_version, row.source, Number(row.time_ms)],
          // The sink's event_type is the route's (this run's subject prefix), not the body's `type`.
          [plane.route.key.type, values.version, values.source, values.time],
          row.event_id,
        );
        // v1 events read through v2 get the default of the field v2 added.
        const data = versions.length === 2 && version === 'v1' ? { ...values.data, cores: -1 } : values.data;
        assert.deepEqual(row.payload, data, row.event_id);
      }
      assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
      await waitFor(
        'the consumer to settle',
        () => plane.pending(),
        (pending) => pending.pending === 0 && pending.ackPending === 0,
      );
      assert.equal(await plane.countRows(), expected.size, 'no row beyond the events published');
    });
  });
}

describeFormat('raw', (event) => Buffer.from(event.raw, 'base64'));
// The frame as the library wrote it (Python has no writer: its generator framed the library's body
// with the library's canonical form's fingerprint).
describeFormat('single-object', (event) => Buffer.from(event.singleObject, 'base64'));
// Confluent framing around the library's body: magic 0x00, then the registry's numeric id.
describeFormat('confluent', (event, numericId) => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(numericId, 1);
  return Buffer.concat([header, Buffer.from(event.raw, 'base64')]);
});
