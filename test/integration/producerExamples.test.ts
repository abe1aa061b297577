import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { prepareToolchains, runExample, type Toolchains } from '../helpers/producerToolchains.ts';

const LANGUAGES = ['typescript', 'python', 'go', 'java'] as const;
const FORMATS = ['raw', 'schema-id', 'confluent', 'single-object'] as const;
const PER_RUN = 3;
const FIRST_TIME_MS = 1_767_225_600_123;

type Row = { event_id: string; event_time: Date; payload: { name: string; value: number; unit: string | null; tags: Record<string, string> } };

/**
 * The copy-paste producers of docs/producers.md, each in its own language with its own Avro
 * library (avsc, the Apache Avro Python and Java libraries, goavro), publish to a real plane in
 * every wire format; each event becomes exactly one row with the values the producer wrote.
 */
describe('producer examples: four languages × four wire formats land exactly', () => {
  let plane: TestPlane;
  let toolchains: Toolchains;
  const subjects = new Map<string, string>();

  before(async () => {
    [plane, toolchains] = await Promise.all([createTestPlane(), prepareToolchains()]);
    subjects.set('raw', plane.route.subject);
    for (const format of FORMATS.filter((candidate) => candidate !== 'raw')) {
      const subject = `${plane.runId}.cpu.usage.${format.replace('-', '')}.v1`;
      const response = await fetch(`${plane.registryUrl}/messagegroups/metrics/messages/${subject}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${plane.registryToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          protocol: 'NATS',
          protocoloptions: { subject },
          dataschemaxid: '/schemagroups/metrics/schemas/cpu-usage',
          ingestion: { sink: { kind: 'postgres', table: 'metric_events' }, deadlettersubject: `${plane.runId}dlq.${format}`, wireformat: format },
        }),
      });
      assert.ok(response.ok, `route for ${format}: HTTP ${response.status} ${await response.text()}`);
      subjects.set(format, subject);
    }
  });

  after(async () => {
    await toolchains?.close();
    await plane?.close();
  });

  test('every example publishes every format, and each event is one row with its exact values', async () => {
    const published: string[] = [];
    // One language at a time (the machine has two cores); its four formats side by side.
    for (const language of LANGUAGES) {
      await Promise.all(
        FORMATS.map(async (format) => {
          const { stdout } = await runExample(toolchains[language], [
            '--nats',
            plane.env.NATS_URL!,
            '--registry',
            plane.registryUrl,
            '--subject',
            subjects.get(format)!,
            '--format',
            format,
            '--count',
            String(PER_RUN),
            '--id-prefix',
            `${language}-${format}`,
            '--time-ms',
            String(FIRST_TIME_MS),
          ]).catch((error: Error & { stderr?: string }) => assert.fail(`${language} ${format}: ${error.stderr ?? error.message}`));
          published.push(...stdout.trim().split('\n'));
        }),
      );
    }
    assert.equal(published.length, LANGUAGES.length * FORMATS.length * PER_RUN, 'every example printed the ids it published');

    await waitFor(
      'every event to be a row or a dead letter',
      async () => (await plane.countRows()) + (await plane.deadLetters()).length,
      (settled) => settled >= published.length,
    );
    const letters = await plane.deadLetters();
    assert.deepEqual(
      letters.map((letter) => `${letter.eventId ?? letter.subject}: ${letter.reason}`),
      [],
      'no example event was dead-lettered',
    );
    const rows = await plane.sql<Row[]>`select event_id, event_time, payload from metric_events order by event_id`;
    assert.deepEqual(rows.map((row) => row.event_id).sort(), [...published].sort(), 'one row per published event, none twice');
    for (const row of rows) {
      const [language, n] = [row.event_id.split('-')[0]!, Number(row.event_id.split('-').at(-1))];
      const host = { typescript: 'ts-1', python: 'python-1', go: 'go-1', java: 'java-1' }[language];
      assert.equal(row.event_time.getTime(), FIRST_TIME_MS + n, `${row.event_id}: time to the millisecond`);
      assert.deepEqual(row.payload, { name: 'cpu.usage', value: 12.5 + n, unit: '%', tags: { host } }, row.event_id);
    }
    assert.deepEqual(await plane.doubling(), { rowAndLetter: [], repeatedLetters: [] });
  });

  test('a bad option is refused with the reason and exit code 2, in every language', async () => {
    for (const language of LANGUAGES) {
      const outcome = await runExample(toolchains[language], ['--format', 'protobuf']).then(
        () => ({ code: 0, stderr: '' }),
        (error: Error & { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
      );
      assert.equal(outcome.code, 2, `${language}: ${outcome.stderr}`);
      assert.match(outcome.stderr, /protobuf/, `${language} names the bad value`);
    }
  });
});
