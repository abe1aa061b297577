// A TypeScript producer for the ingestion plane: avsc encodes, nats.js publishes through JetStream.
//
// Fetches the writer schema from the registry (the schema's default version; its numericid comes
// in the xRegistry-numericid header), encodes --count events of the example schema
// (metrics.cpu.usage), frames each in the --format the route declares, and publishes it with
// Nats-Msg-Id = the event id.
//
//   node --import tsx examples/producers/typescript/produce.ts --format confluent --subject metrics.cpu.usage.v1
//
// Inside this repository, shared/producer does the same from a route read out of the registry
// (createProducer(js).publish(route, event)); this file needs nothing but avsc and nats.js.
import { parseArgs } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import avro from 'avsc';

const FORMATS = ['raw', 'schema-id', 'confluent', 'single-object'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `usage: produce.ts [--nats URL] [--registry URL] [--schema PATH] [--subject S]
                  [--format raw|schema-id|confluent|single-object] [--count N] [--id-prefix P] [--time-ms MS]`;

/**
 * CRC-64-AVRO (Rabin), the fingerprint single-object frames carry, as the Avro specification
 * defines it; avsc's own fingerprints are MD5/SHA hashes, not this one.
 */
function crc64Avro(bytes: Uint8Array): bigint {
  const empty = 0xc15d213aa4d7a795n;
  const table: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let fp = i;
    for (let bit = 0; bit < 8; bit++) fp = (fp >> 1n) ^ (empty & -(fp & 1n));
    table.push(fp);
  }
  let fp = empty;
  for (const byte of bytes) fp = (fp >> 8n) ^ (table[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  return fp;
}

function frame(format: Format, type: avro.Type, schemaId: number, body: Buffer): Buffer {
  switch (format) {
    case 'confluent':
    case 'schema-id': {
      const header = Buffer.alloc(format === 'confluent' ? 5 : 4);
      header.writeUInt32BE(schemaId, format === 'confluent' ? 1 : 0); // a Confluent frame starts with magic byte 0
      return Buffer.concat([header, body]);
    }
    case 'single-object': {
      // avsc's schema() is the Parsing Canonical Form (a logical type's primitive written bare, as Java does).
      const header = Buffer.alloc(10);
      header.writeUInt16BE(0xc301, 0);
      header.writeBigUInt64LE(crc64Avro(Buffer.from(JSON.stringify(type.schema()))), 2);
      return Buffer.concat([header, body]);
    }
    default:
      return body;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
      registry: { type: 'string', default: 'http://127.0.0.1:3000' },
      schema: { type: 'string', default: '/schemagroups/metrics/schemas/cpu-usage' },
      subject: { type: 'string', default: 'metrics.cpu.usage.v1' },
      format: { type: 'string', default: 'raw' },
      count: { type: 'string', default: '3' },
      'id-prefix': { type: 'string', default: 'ts-example' },
      'time-ms': { type: 'string', default: '1767225600123' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return void console.log(USAGE);
  const format = values.format as Format;
  const count = Number(values.count);
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
  if (!Number.isInteger(count) || count < 1) throw new UsageError('--count must be a whole number ≥ 1');

  const response = await fetch(`${values.registry}${values.schema}`);
  if (!response.ok) throw new Error(`GET ${values.schema}: HTTP ${response.status} ${await response.text()}`);
  const schemaId = Number(response.headers.get('xRegistry-numericid'));
  // timestamp-millis as a plain number of milliseconds: avsc keeps it a long without a logical type of its own.
  const type = avro.Type.forSchema((await response.json()) as avro.Schema);

  const nc = await connect({ servers: values.nats });
  try {
    const js = jetstream(nc);
    for (let n = 0; n < count; n++) {
      const id = `${values['id-prefix']}-${n}`;
      const body = type.toBuffer({
        id,
        type: 'metrics.cpu.usage',
        version: 'v1',
        source: 'ts-example',
        time: Number(values['time-ms']) + n,
        data: { name: 'cpu.usage', value: 12.5 + n, unit: '%', tags: { host: 'ts-1' } },
      });
      await js.publish(values.subject, frame(format, type, schemaId, body), { msgID: id });
      console.log(id);
    }
    console.error(`published ${count} ${format} event(s) on ${values.subject} (schema id ${schemaId})`);
  } finally {
    await nc.close();
  }
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : (error as Error).message);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
