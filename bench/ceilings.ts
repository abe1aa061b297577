// Stage ceilings, measured in the same run as the chain so chain results can be read as a
// fraction of them on a noisy machine: consume only, decode only, insert only. Two more show what
// the functions and the Lambda transport cost without any I/O.
import { AckPolicy, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { DecoderCache } from '../shared/stages/index.ts';
import { runValidate } from '../shared/stages/index.ts';
import { toJsonValue } from '../shared/avro/index.ts';
import type { RawRecord, SchemaPin } from '../shared/contracts/index.ts';
import type { SinkWriteRecord, ValidatedEvent } from '../shared/sinks/index.ts';
import { createSql } from '../shared/postgres/index.ts';
import { createRouteLookup, type RouteRecord } from '../shared/routes/index.ts';
import type { SinkTarget } from '../shared/sinks/index.ts';
import { createPostgresTableSink } from '../shared/sinks/index.ts';
import { type BenchPlane, createBenchPlane, type PlaneSettings } from './benchPlane.ts';
import { type CpuBreakdown, cpuBreakdown } from './cpu.ts';
import { sampleCpu } from './procStats.ts';
import { publishBacklog } from './publish.ts';

type Ceiling = {
  readonly name: string;
  readonly method: string;
  readonly events: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU µs per event of the processes involved (this bench process, plus nats-server or PostgreSQL). */
  readonly cpuUsPerEvent: number;
  readonly cpu: CpuBreakdown;
};

type CeilingsResult = { readonly ceilings: readonly Ceiling[]; readonly verified: boolean; readonly problems: readonly string[] };

async function timed(name: string, method: string, events: number, charged: readonly string[], work: () => Promise<void> | void): Promise<Ceiling> {
  const before = sampleCpu({});
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuBreakdown(before, sampleCpu({}), events);
  const cpuUsPerEvent = charged.reduce((sum, group) => sum + (cpu.usPerEventBy[group] ?? 0), 0);
  return { name, method, events, seconds, perSecond: events / seconds, cpuUsPerEvent, cpu };
}

/** A second durable consumer on the same stream whose callback only acks, with the bridge's pull size. */
async function consumeCeiling(bench: BenchPlane, events: number, problems: string[]): Promise<Ceiling> {
  const { plane, config } = bench;
  const name = 'bench_consume_ceiling';
  await plane.jsm.consumers.add(config.nats.ingest.name, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(config.ackWaitMs),
    max_ack_pending: config.maxAckPending,
  });
  const consumer = await jetstream(plane.nc).consumers.get(config.nats.ingest.name, name);
  const maxMessages = Math.max(config.batch.maxRecords * 2, 100);
  const ceiling = await timed('consume', `consume() callback, ack(), max_messages ${maxMessages}`, events, ['bench', 'nats'], async () => {
    let seen = 0;
    let messages: Awaited<ReturnType<typeof consumer.consume>> | undefined;
    await new Promise<void>((resolve) => {
      void consumer
        .consume({
          max_messages: maxMessages,
          callback: (msg) => {
            msg.ack();
            if (++seen === events) resolve();
          },
        })
        .then((iterator) => {
          messages = iterator;
        });
    });
    await plane.nc.flush();
    await messages?.close();
  });
  // Acks are fire-and-forget; give the server a moment before calling one lost.
  let acked = 0;
  for (let attempt = 0; attempt < 20 && acked < events; attempt++) {
    acked = (await plane.jsm.consumers.info(config.nats.ingest.name, name)).ack_floor.stream_seq;
    if (acked < events) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (acked < events) problems.push(`consume ceiling: only ${acked} of ${events} acks reached the server`);
  return ceiling;
}

function decodeAll(route: RouteRecord, payloads: readonly Buffer[]): unknown[] {
  const decode = new DecoderCache().get(route.schema, route.schema);
  return payloads.map((payload) => decode(payload));
}

function toSinkRecords(route: RouteRecord, decoded: readonly unknown[]): SinkWriteRecord[] {
  return decoded.map((value, index) => {
    const body = toJsonValue(value) as ValidatedEvent['body'];
    const event: ValidatedEvent = {
      eventId: body.id as string,
      routeKey: route.key,
      time: body.time as string,
      source: typeof body.source === 'string' ? body.source : null,
      body,
    };
    return { id: String(index + 1), subject: route.subject, event };
  });
}

/** Runs `items` with at most `concurrency` at once, like the bridge's in-flight batches. */
async function pool<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function measureCeilings(bench: BenchPlane, events: number): Promise<CeilingsResult> {
  const { plane, config } = bench;
  await bench.stopBridge();
  await plane.offline.stop();
  const published = await publishBacklog(plane.nc, plane.route, events, true);
  const { payloads } = published;
  const batch = config.batch.maxRecords;
  const poolMax = Number(plane.env.DATABASE_POOL_MAX ?? '4');
  const ceilings: Ceiling[] = [];
  const problems: string[] = [];

  ceilings.push(await consumeCeiling(bench, events, problems));

  let decoded: unknown[] = [];
  ceilings.push(
    await timed('decode', 'avsc fromBuffer (the route decoder)', events, ['bench'], () => {
      decoded = decodeAll(plane.route, payloads);
    }),
  );

  // The plane's own sink table (created by the registry load, still empty: the bridge never ran on
  // events here), so the insert is exactly what sink-write does for this route.
  const table = 'metric_events';
  const sql = createSql(plane.env.DATABASE_URL!, { max: poolMax, applicationName: 'bench-insert-ceiling' });
  try {
    const sink = createPostgresTableSink(sql);
    const batches = chunks(toSinkRecords(plane.route, decoded), batch);
    // The first batch is untimed: it opens the pool's connection and reads the table's catalog.
    const warm = batches.length > 1 ? batches.shift()! : [];
    if (warm.length > 0) await sink.write({ kind: 'postgres', table }, warm);
    const timedEvents = events - warm.length;
    const method = `sink write (unnest insert), batches of ${batch}, ${config.maxInFlight} at once, pool ${poolMax}`;
    ceilings.push(
      await timed('insert', method, timedEvents, ['bench', 'postgres'], () =>
        pool(batches, config.maxInFlight, async (records) => {
          await sink.write({ kind: 'postgres', table }, records);
        }),
      ),
    );
    const rows = await plane.countRows();
    if (rows !== events) problems.push(`insert ceiling stored ${rows} rows of ${events}`);

    // Informational: the validate function's own work (base64, unframe, decode, toJsonValue) and
    // the JSON the Lambda transport adds around all three stages, both without any I/O.
    const routes = createRouteLookup(sql, { ttlMs: 60_000, negativeTtlMs: 1000 });
    const deps = { routes, decoders: new DecoderCache() };
    const raw: RawRecord[] = payloads.map((payload, index) => ({
      id: String(index + 1),
      subject: plane.route.subject,
      payload: payload.toString('base64'),
      publishedAtMs: Date.now(),
    }));
    const rawBatches = chunks(raw, batch);
    await runValidate({ records: rawBatches[0]! }, deps); // fills the route cache
    ceilings.push(
      await timed('validate logic', `runValidate in-process, batches of ${batch}, no I/O`, events, ['bench'], async () => {
        for (const records of rawBatches) await runValidate({ records }, deps);
      }),
    );
    const pin = { numericId: plane.route.schema.numericId, cacheKey: plane.route.schema.cacheKey };
    const sinkBatches = chunks(toSinkRecords(plane.route, decoded.slice(0, Math.min(decoded.length, 50_000))), batch);
    const serdeEvents = sinkBatches.reduce((sum, b) => sum + b.length, 0);
    ceilings.push(
      await timed('transport JSON', 'JSON.stringify + JSON.parse of the 3 requests and 3 responses', serdeEvents, ['bench'], () => {
        for (const records of sinkBatches) roundTripJson({ kind: 'postgres', table }, pin, records, rawBatches[0]!.slice(0, records.length));
      }),
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { ceilings, verified: problems.length === 0, problems };
}

/**
 * The JSON a batch costs on the Lambda path: each request and response serialised and parsed once.
 * Validate answers verdicts, route gets the batch's one subject, sink-write gets the raw records'
 * own payload strings with the verdicts' pins.
 */
function roundTripJson(target: SinkTarget, pin: SchemaPin, writes: readonly SinkWriteRecord[], raw: readonly RawRecord[]): void {
  const bodies: unknown[] = [
    { records: raw },
    { results: writes.map((w) => ({ id: w.id, ok: true, eventId: w.event.eventId, reader: pin, writer: pin })) },
    { records: [{ id: raw[0]?.subject, subject: raw[0]?.subject }] },
    { results: [{ id: raw[0]?.subject, ok: true, sinks: [target], deadLetterSubject: 'x.dlq' }] },
    { target, records: raw.map((r, index) => ({ ...r, eventId: writes[index]!.event.eventId, reader: pin, writer: pin })) },
    { results: writes.map((w) => ({ id: w.id, ok: true, duplicate: false })) },
  ];
  // Each body is stringified by its sender and parsed by its receiver (bridge or serverless-offline).
  for (const body of bodies) JSON.parse(JSON.stringify(body));
}

async function runCeilings(events: number, settings: PlaneSettings): Promise<CeilingsResult> {
  // No profiling or bundles: the bridge does not run here.
  const bench = await createBenchPlane({ env: settings.env });
  try {
    return await measureCeilings(bench, events);
  } finally {
    await bench.close();
  }
}

export { runCeilings };
export type { Ceiling, CeilingsResult };
