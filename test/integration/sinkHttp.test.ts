import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { type EventWriteDeps, writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import { loadSinkConfig } from '../../shared/config/index.ts';
import type { SinkWriteResponse } from '../../shared/contracts/index.ts';
import type { SinkWriteRecord, SinkWriteResult } from '../../shared/sinks/index.ts';
import { createPostgresLedger } from '../../shared/deliveries/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import type { SinkTarget } from '../../shared/sinks/index.ts';
import { createHttpSink, type Sink } from '../../shared/sinks/index.ts';
import { batchIdempotencyKey } from '../../shared/sinks/http/idempotency.ts';
import { createAgents, post } from '../../shared/sinks/http/request.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';

type Received = { path: string; headers: IncomingMessage['headers']; body: unknown };
type Body = { id: string; data: { value: number } };

/**
 * A real HTTP endpoint on 127.0.0.1 that behaves like a careful receiver: it stores each event
 * once per Idempotency-Key, and a few paths misbehave on purpose.
 */
function startEndpoint(): Promise<{ server: Server; port: number; received: Received[]; stored: Map<string, number> }> {
  const received: Received[] = [];
  const seenKeys = new Set<string>();
  const stored = new Map<string, number>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      const path = request.url ?? '';
      received.push({ path, headers: request.headers, body });
      const events = typeof body === 'object' && body !== null && 'events' in body ? (body as { events: Body[] }).events : [body as Body];
      const key = String(request.headers['idempotency-key']);
      if (path === '/status/500') return void response.writeHead(500).end('down for maintenance');
      if (path === '/throttle') return void response.writeHead(429, { 'retry-after': '2' }).end('slow down');
      if (path === '/bad') return void response.writeHead(400, { 'content-type': 'text/plain' }).end(`value out of range ${'x'.repeat(2000)}`);
      if (path === '/slow') return void setTimeout(() => response.writeHead(200).end(), 2000);
      if (path === '/picky' && events.some((event) => event.data.value < 0)) return void response.writeHead(422).end('negative value');
      if (!seenKeys.has(key)) {
        seenKeys.add(key);
        for (const event of events) stored.set(event.id, (stored.get(event.id) ?? 0) + 1);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, received, stored })));
}

function record(id: string, eventId: string, value = 1): SinkWriteRecord {
  return {
    id,
    subject: 'metrics.http.v1',
    event: {
      eventId,
      routeKey: { type: 'metrics.http', version: 'v1' },
      time: '2026-01-01T00:00:00.000Z',
      source: 'test',
      body: { id: eventId, time: '2026-01-01T00:00:00.000Z', data: { value } },
    },
  };
}

function failures(response: SinkWriteResponse): Extract<SinkWriteResult, { ok: false }>[] {
  return response.results.filter((result): result is Extract<SinkWriteResult, { ok: false }> => !result.ok);
}

describe('HTTP sink (real HTTP server on 127.0.0.1, delivery state in real PostgreSQL)', () => {
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Sql;
  let deps: EventWriteDeps;
  let base: string;

  /** One sink-write request: all records to the one target. */
  const write = (target: SinkTarget, records: readonly SinkWriteRecord[], using: EventWriteDeps = deps): Promise<SinkWriteResponse> =>
    writeEvents(target, records, using);

  before(async () => {
    database = await createTestDatabase(`ingest_${uniqueRunId()}`);
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    // The delivery ledger's table (sink_deliveries) comes with the registry migrations.
    await migrateRegistry(sql, MIGRATIONS_DIR);
    endpoint = await startEndpoint();
    base = `http://127.0.0.1:${endpoint.port}`;
    // The test server is on loopback, so this deployment allows private networks for that one host.
    const config = loadSinkConfig({
      HTTP_SINK_ALLOWED_HOSTS: `127.0.0.1:${endpoint.port}`,
      HTTP_SINK_ALLOW_PRIVATE_NETWORKS: 'true',
      HTTP_SINK_AUTH_HEADERS: JSON.stringify({ [`127.0.0.1:${endpoint.port}`]: 'Bearer test-token' }),
    });
    deps = { sinks: new Map([['http', createHttpSink(config.http) as Sink]]), ledger: createPostgresLedger(sql) };
  });

  beforeEach(() => {
    endpoint.received.length = 0;
    endpoint.stored.clear();
  });

  after(async () => {
    const server = endpoint?.server;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  test('batch mode: one POST {events}, a stable Idempotency-Key, every event stored exactly once even when redelivered', async () => {
    const sink: SinkTarget = { kind: 'http', url: `${base}/events`, mode: 'batch' };
    const batch = [record('1', 'b1'), record('2', 'b2'), record('3', 'b1'), record('4', 'b3')];
    const first = await write(sink, batch);
    assert.deepEqual(
      first.results.map((r) => r.ok && r.duplicate),
      [false, false, true, false],
    );
    // The bridge redelivers the same events (a nak, a crash): same key, so the endpoint stores nothing twice.
    const again = await write(sink, [batch[3]!, batch[1]!, batch[0]!]);
    assert.ok(again.results.every((r) => r.ok));
    assert.equal(endpoint.received.length, 2);
    const [one, two] = endpoint.received;
    assert.equal(one!.headers['content-type'], 'application/json');
    assert.equal(one!.headers.authorization, 'Bearer test-token');
    assert.equal(one!.headers['idempotency-key'], batchIdempotencyKey(['b1', 'b2', 'b3']));
    assert.equal(two!.headers['idempotency-key'], one!.headers['idempotency-key']);
    assert.deepEqual(
      (one!.body as { events: Body[] }).events.map((event) => event.id),
      ['b1', 'b2', 'b3'],
    );
    assert.deepEqual(Object.fromEntries(endpoint.stored), { b1: 1, b2: 1, b3: 1 });
  });

  test('event mode: one POST per event with Idempotency-Key = event id, each stored once', async () => {
    const sink: SinkTarget = { kind: 'http', url: `${base}/event`, mode: 'event' };
    const records = ['e1', 'e2', 'e3', 'e1'].map((eventId, index) => record(String(index), eventId));
    const response = await write(sink, records);
    assert.deepEqual(
      response.results.map((r) => r.ok && r.duplicate),
      [false, false, false, true],
    );
    await write(sink, records.slice(0, 2));
    assert.deepEqual(endpoint.received.map((request) => request.headers['idempotency-key']).sort(), ['e1', 'e1', 'e2', 'e2', 'e3']);
    assert.deepEqual((endpoint.received[0]!.body as Body).data, { value: 1 });
    assert.deepEqual(Object.fromEntries([...endpoint.stored].sort()), { e1: 1, e2: 1, e3: 1 });
  });

  test('500 is retryable', async () => {
    const response = await write({ kind: 'http', url: `${base}/status/500`, mode: 'batch' }, [record('1', 's1')]);
    const [failure] = failures(response);
    assert.equal(failure?.failure.reason, 'sink_unavailable');
    assert.equal(failure?.failure.retryable, true);
    assert.match(failure!.failure.message, /HTTP 500 Internal Server Error from 127\.0\.0\.1:\d+: down for maintenance/);
  });

  test('429 with Retry-After is retryable and carries the delay', async () => {
    const response = await write({ kind: 'http', url: `${base}/throttle`, mode: 'event' }, [record('1', 't1')]);
    const [failure] = failures(response);
    assert.equal(failure?.failure.reason, 'sink_unavailable');
    assert.equal(failure?.failure.retryable, true);
    assert.equal(failure?.failure.retryAfterMs, 2000);
    assert.match(failure!.failure.message, /HTTP 429 Too Many Requests .*retry after 2000 ms \(Retry-After: 2\)/);
  });

  test('400 is permanent, with the status and the first 500 bytes of the response', async () => {
    const response = await write({ kind: 'http', url: `${base}/bad`, mode: 'event' }, [record('1', 'r1')]);
    const [failure] = failures(response);
    assert.equal(failure?.failure.reason, 'sink_rejected');
    assert.equal(failure?.failure.retryable, false);
    const text = failure!.failure.message;
    assert.match(text, /^HTTP 400 Bad Request from 127\.0\.0\.1:\d+: value out of range x+$/);
    assert.equal(text.slice(text.indexOf('value out of range')).length, 500);
  });

  test('a batch refused for its data is retried event by event, so only the bad event fails', async () => {
    const sink: SinkTarget = { kind: 'http', url: `${base}/picky`, mode: 'batch' };
    const response = await write(sink, [record('1', 'p1'), record('2', 'p2', -5), record('3', 'p3')]);
    const byId = new Map(response.results.map((result) => [result.id, result]));
    assert.equal(byId.get('1')?.ok, true);
    assert.equal(byId.get('3')?.ok, true);
    const bad = byId.get('2');
    assert.ok(bad !== undefined && !bad.ok, JSON.stringify(bad));
    assert.equal(bad.failure.reason, 'sink_rejected');
    assert.equal(bad.failure.retryable, false);
    assert.match(bad.failure.message, /^HTTP 422 Unprocessable Entity from 127\.0\.0\.1:\d+: negative value$/);
    assert.deepEqual([...endpoint.stored.keys()].sort(), ['p1', 'p3']);
  });

  test('a timeout is retryable', async () => {
    // /slow answers 200 after 2 s: a sink that ignored timeoutms would report the event stored.
    const response = await write({ kind: 'http', url: `${base}/slow`, mode: 'event', timeoutms: 300 }, [record('1', 'slow1')]);
    const [failure] = failures(response);
    assert.equal(failure?.failure.reason, 'sink_unavailable');
    assert.equal(failure?.failure.retryable, true);
    assert.match(failure!.failure.message, /timed out after 300 ms/);
    assert.deepEqual(
      endpoint.received.map((request) => request.path),
      ['/slow'],
      'the request reached the endpoint before the sink gave up',
    );
  });

  test('a connection refused is retryable', async () => {
    const { server, port } = await startEndpoint();
    await new Promise((resolve) => server.close(resolve));
    const config = loadSinkConfig({ HTTP_SINK_ALLOWED_HOSTS: `127.0.0.1:${port}`, HTTP_SINK_ALLOW_PRIVATE_NETWORKS: 'true' });
    const response = await write({ kind: 'http', url: `http://127.0.0.1:${port}/`, mode: 'batch' }, [record('1', 'c1')], {
      ...deps,
      sinks: new Map([['http', createHttpSink(config.http) as Sink]]),
    });
    const [failure] = failures(response);
    assert.equal(failure?.failure.reason, 'sink_unavailable');
    assert.equal(failure?.failure.retryable, true);
    assert.match(failure!.failure.message, /ECONNREFUSED/);
  });

  test('the request connects to the checked address only, keeping the name for the Host header', async () => {
    // `.invalid` never resolves (RFC 6761): reaching the server proves no second lookup happened.
    const outcome = await post({
      url: new URL(`http://pinned.invalid:${endpoint.port}/events`),
      body: JSON.stringify({ events: [] }),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      addresses: [{ address: '127.0.0.1', family: 4 }],
      timeoutMs: 2000,
      agents: createAgents(),
    });
    assert.equal(outcome.status, 200);
    assert.equal(endpoint.received[0]?.headers.host, `pinned.invalid:${endpoint.port}`);
  });

  test('a host not on the allow-list is refused permanently, without any request', async () => {
    // Same server, named differently: the allow-list names 127.0.0.1:<port>, not localhost.
    const response = await write({ kind: 'http', url: `http://localhost:${endpoint.port}/events`, mode: 'batch' }, [record('1', 'h1')]);
    const [failure] = failures(response);
    assert.equal(failure?.failure.reason, 'sink_refused');
    assert.equal(failure?.failure.retryable, false);
    assert.match(failure!.failure.message, new RegExp(`^host localhost:${endpoint.port} is not in HTTP_SINK_ALLOWED_HOSTS$`));
    assert.equal(endpoint.received.length, 0);
  });

  test('a private address is refused unless private networks are allowed, by literal and by name', async () => {
    const config = loadSinkConfig({ HTTP_SINK_ALLOWED_HOSTS: `127.0.0.1:${endpoint.port},localhost:${endpoint.port}` });
    const strict: EventWriteDeps = { ...deps, sinks: new Map([['http', createHttpSink(config.http) as Sink]]) };
    for (const host of ['127.0.0.1', 'localhost']) {
      const response = await write({ kind: 'http', url: `http://${host}:${endpoint.port}/events`, mode: 'event' }, [record('1', `x-${host}`)], strict);
      const [failure] = failures(response);
      assert.equal(failure?.failure.reason, 'sink_refused', host);
      assert.equal(failure?.failure.retryable, false, host);
      assert.match(
        failure!.failure.message,
        new RegExp(`^${host.replaceAll('.', '\\.')} resolves to (127\\.0\\.0\\.1|::1) \\(loopback\\); HTTP_SINK_ALLOW_PRIVATE_NETWORKS is off$`),
      );
    }
    assert.equal(endpoint.received.length, 0);
    // The same target with private networks allowed (this suite's deployment) is sent.
    const allowed = await write({ kind: 'http', url: `http://127.0.0.1:${endpoint.port}/events`, mode: 'event' }, [record('1', 'x-allowed')]);
    assert.deepEqual(allowed.results, [{ id: '1', ok: true, duplicate: false }]);
    assert.equal(endpoint.received.length, 1);
  });

  test('a fan-out event this endpoint already has (PostgreSQL delivery state) is answered as duplicate without a request', async () => {
    const sink: SinkTarget = { kind: 'http', url: `${base}/events`, mode: 'event' };
    const tracked = (id: string, eventId: string): SinkWriteRecord => ({ ...record(id, eventId), trackDelivery: true });
    const first = await write(sink, [tracked('1', 'f1')]);
    assert.deepEqual(first.results, [{ id: '1', ok: true, duplicate: false }]);
    const [row] = await sql<{ count: number }[]>`select count(*)::int as count from sink_deliveries where event_id = 'f1'`;
    assert.equal(row?.count, 1, 'the delivery is remembered in sink_deliveries');
    // The event comes again (another sink of its route failed): this endpoint is not called again.
    const again = await write(sink, [tracked('2', 'f1'), tracked('3', 'f2')]);
    assert.deepEqual(
      again.results.map((r) => r.ok && r.duplicate),
      [true, false],
    );
    assert.deepEqual(
      endpoint.received.map((request) => request.headers['idempotency-key']),
      ['f1', 'f2'],
    );
  });
});
