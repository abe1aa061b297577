// Publishes three metrics.cpu.usage events in a route's wire format, with avsc and nats.js.
//
// usage: node --import tsx producer.ts <nats-url> <subject> raw|confluent|schema-id|single-object <schema.avsc> [numericid|fingerprint]
//
// avsc has no CRC-64-AVRO, and its canonical form is the specification's: a single-object
// producer passes the version's `spec` fingerprint (`ingest registry fingerprints <path>`).
import { readFileSync } from 'node:fs';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import avro from 'avsc';

const [url, subject, wireFormat, schemaFile, writer = '0'] = process.argv.slice(2);
if (url === undefined || subject === undefined || wireFormat === undefined || schemaFile === undefined) {
  throw new Error('usage: producer.ts <nats-url> <subject> <wire-format> <schema.avsc> [numericid|fingerprint]');
}
const type = avro.Type.forSchema(JSON.parse(readFileSync(schemaFile, 'utf8')));

function frame(body: Buffer): Buffer {
  if (wireFormat === 'raw') return body;
  if (wireFormat === 'single-object') {
    const header = Buffer.from([0xc3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]);
    header.writeBigUInt64LE(BigInt(`0x${writer}`), 2);
    return Buffer.concat([header, body]);
  }
  const id = Buffer.alloc(4);
  id.writeUInt32BE(Number(writer));
  return Buffer.concat([wireFormat === 'confluent' ? Buffer.from([0x00]) : Buffer.alloc(0), id, body]);
}

const nc = await connect({ servers: url });
const js = jetstream(nc);
for (let n = 1; n <= 3; n++) {
  const id = `typescript-${wireFormat}-${n}`;
  const body = type.toBuffer({
    id,
    type: 'metrics.cpu.usage',
    version: 'v1',
    source: 'docs/producers/producer.ts',
    time: Date.UTC(2026, 0, 1) + n, // timestamp-millis as a plain number (no logical types registered)
    data: { name: 'cpu.usage', value: 10.5 * n, unit: 'percent', tags: { host: 'ts' } },
  });
  const ack = await js.publish(subject, frame(body), { msgID: id });
  console.log(id, ack.stream, ack.seq);
}
await nc.drain();
