import { randomUUID } from 'node:crypto';
import { sampleEvent } from '../shared/producer/index.ts';
import { type AvroType, SchemaCache } from '../shared/avro/index.ts';
import { encodeEvent, type EventValue } from '../shared/producer/index.ts';
import type { RouteRecord } from '../shared/routes/index.ts';

const HOSTS = 64;

/**
 * The seed's MetricCpuUsageEvent as a host collector would send it: a real metric name, unit
 * and host tag and a percentage, not avsc's random strings, so payload sizes, JSON and jsonb
 * work are what production sees. `time` is set now, which is what the paced phase measures from.
 * `template` is one sampleEvent (envelope fields as the CLI sets them); making a fresh one per
 * event would cost ~35 µs of avsc `random()`, which the paced publisher cannot spare on 2 cores.
 */
function metricEvent(route: RouteRecord, n: number, template: EventValue = sampleEvent(route)): EventValue {
  const host = `node-${n % HOSTS}`;
  return {
    ...template,
    id: randomUUID(),
    source: `collector/${host}`,
    time: new Date(),
    data: { name: 'cpu_usage', value: Math.round(Math.random() * 10_000) / 100, unit: 'percent', tags: { host } },
  };
}

type EventEncoder = {
  /** A fresh event and the bytes a producer on the route sends for it. */
  next(): { readonly event: EventValue; readonly payload: Buffer };
};

function createEventEncoder(route: RouteRecord): EventEncoder {
  const type: AvroType = new SchemaCache().get(route.schema.cacheKey, route.schema.definition);
  const template = sampleEvent(route);
  let n = 0;
  return {
    next() {
      const event = metricEvent(route, n++, template);
      return { event, payload: encodeEvent(route, event, type) };
    },
  };
}

/** Events encoded ahead of a paced run: the payloads, their ids and each one's Nats-Msg-Id headers. */
type ScheduledEvents = {
  readonly payloads: readonly Buffer[];
  readonly ids: readonly string[];
  /** Event `i` carries `time` = baseMs + i × 1000 / rate: its place in the schedule. */
  readonly baseMs: number;
};

/**
 * `count` events stamped with their scheduled publish times from `baseMs` on, encoded before the
 * run so the paced publisher only sends bytes (encoding costs ~8 µs per event, as much as the
 * publish itself).
 */
function encodeScheduled(route: RouteRecord, count: number, rate: number, baseMs: number): ScheduledEvents {
  const type: AvroType = new SchemaCache().get(route.schema.cacheKey, route.schema.definition);
  const template = sampleEvent(route);
  const payloads: Buffer[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = { ...metricEvent(route, i, template), time: new Date(baseMs + (i * 1000) / rate) };
    payloads.push(encodeEvent(route, event, type));
    ids.push(event.id);
  }
  return { payloads, ids, baseMs };
}

export { createEventEncoder, encodeScheduled, metricEvent };
export type { EventEncoder, ScheduledEvents };
