// Backlog drain through the real chain: N events wait in the stream, then one bridge replica
// drains them through serverless-offline into PostgreSQL. Prints events/s; checks no loss.
// A first cut of `npm run bench`; the full benchmark (ceilings, paced latency, in-process
// invoker, CPU and RSS) is tracked in its own issue.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { sampleEvent } from '../shared/admin/index.ts';
import { encodeAvro, SchemaCache } from '../shared/avro/index.ts';
import { createTestPlane } from '../test/helpers/plane.ts';
import { waitFor } from '../test/helpers/names.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '50000' } } });
const total = Number(values.events);

const plane = await createTestPlane({ bridgeEnv: { LOG_LEVEL: 'error' } });
try {
  await plane.bridge.stop();
  const type = new SchemaCache().get('bench', plane.route.schema.definition);
  const started = Date.now();
  for (let sent = 0; sent < total; ) {
    const chunk = Math.min(1000, total - sent);
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < chunk; i++) {
      const event = sampleEvent(plane.route);
      acks.push(plane.js.publish(plane.route.subject, encodeAvro(type, event), { msgID: event.id }));
    }
    await Promise.all(acks);
    sent += chunk;
  }
  const publishSeconds = (Date.now() - started) / 1000;

  const drainStart = Date.now();
  plane.startBridge();
  await waitFor('backlog drained', () => plane.countRows(), (rows) => rows === total, 600_000);
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const duplicates = await plane.duplicateRows();
  const letters = (await plane.deadLetters()).length;

  console.log(JSON.stringify({
    cores: availableParallelism(),
    events: total,
    publishPerSecond: Math.round(total / publishSeconds),
    drainSeconds,
    drainPerSecond: Math.round(total / drainSeconds),
    rows: await plane.countRows(),
    duplicates,
    deadLetters: letters,
    note: 'drain time includes bridge process start (tsx) and serverless-offline warm-up of the first batch',
  }, null, 2));
  if (duplicates !== 0 || letters !== 0) process.exitCode = 1;
} finally {
  await plane.close();
}
