import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../cli/paths.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const run = promisify(execFile);
const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';
const WIRE_FORMATS = ['raw', 'schema-id', 'confluent', 'single-object'] as const;

// The TypeScript producer of docs/producers.md, run as a user would run it, once per wire format,
// with the schema id or fingerprint the registry gives. (The Python, Go and Java examples need
// Debian packages CI does not install; docs/producers.md says how they were run.)
for (const wireFormat of WIRE_FORMATS) {
  describe(`docs/producers/producer.ts, ${wireFormat}`, () => {
    let plane: TestPlane;
    let directory: string;

    before(async () => {
      plane = await createTestPlane({ wireFormat });
      directory = await mkdtemp(join(tmpdir(), 'producer-example-'));
    });

    after(async () => {
      await plane?.close();
      await rm(directory, { recursive: true, force: true });
    });

    test('its three events become three rows with their values, and no dead letter', async () => {
      const document = await (await fetch(`${plane.registryUrl}${SCHEMA}/versions/1`)).text();
      const details = (await (await fetch(`${plane.registryUrl}${SCHEMA}/versions/1$details`)).json()) as {
        numericid: number;
        fingerprints: { spec: string };
      };
      const schemaFile = join(directory, 'cpu-usage-v1.avsc');
      await writeFile(schemaFile, document);
      const writer = wireFormat === 'single-object' ? details.fingerprints.spec : String(details.numericid);

      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'docs/producers/producer.ts', plane.env.NATS_URL!, plane.route.subject, wireFormat, schemaFile, writer],
        {
          cwd: ROOT,
        },
      );

      assert.equal(stdout.trimEnd().split('\n').length, 3, stdout);
      await waitFor(
        'three rows or a dead letter',
        async () => (await plane.countRows()) + (await plane.deadLetters()).length,
        (settled) => settled >= 3,
      );
      assert.deepEqual(await plane.deadLetters(), []);
      const rows = await plane.sql<{ event_id: string; time_ms: string; value: number }[]>`
        select event_id, (extract(epoch from event_time) * 1000)::bigint::text as time_ms, (payload->>'value')::float8 as value
        from metric_events order by event_id`;
      assert.deepEqual(
        rows.map((row) => [row.event_id, Number(row.time_ms), row.value]),
        [1, 2, 3].map((n) => [`typescript-${wireFormat}-${n}`, Date.UTC(2026, 0, 1) + n, 10.5 * n]),
      );
    });
  });
}
