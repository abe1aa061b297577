import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { writeEvents } from '../../shared/stages/sinkWrite/writeEvents.ts';
import type { SinkWriteRecord } from '../../shared/sinks/index.ts';
import type { SinkTarget } from '../../shared/sinks/index.ts';
import { describeSinkTarget, parseSinkTarget, type Sink, sinkIdentity, type StoreChecks } from '../../shared/sinks/index.ts';
import { ingestionSinkEntries, SINK_KINDS, sinkTargetAttributes } from '../../shared/sinks/targets.ts';
import { memoryLedger } from '../helpers/memoryLedger.ts';

const SCHEMA = {
  type: 'record',
  name: 'E',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'data', type: { type: 'record', name: 'D', fields: [{ name: 'value', type: 'double' }] } },
  ],
};

const STORE: StoreChecks = {
  streams: { ingest: ['metrics.>'], deadLetter: ['deadletter.>'] },
  http: { allowedHosts: ['api.example.com', '127.0.0.1:8080'], allowPrivateNetworks: false },
  schema: SCHEMA,
};

function problem(value: unknown, store?: StoreChecks): string {
  const parsed = parseSinkTarget(value, store);
  assert.equal(parsed.ok, false, JSON.stringify(value));
  return parsed.ok ? '' : parsed.problem;
}

describe('sink targets when stored and when read back', () => {
  test('postgres: table, optional column mapping checked against the schema when stored', () => {
    assert.deepEqual(parseSinkTarget({ kind: 'postgres', table: 'public.events' }, STORE), { ok: true, target: { kind: 'postgres', table: 'public.events' } });
    const mapped = { kind: 'postgres', table: 'readings', columns: { value: 'data.value' } };
    assert.deepEqual(parseSinkTarget(mapped, STORE), { ok: true, target: mapped });
    assert.match(problem({ kind: 'postgres', table: 'Events' }), /must be \[schema\.\]table in lower case/);
    assert.match(problem({ kind: 'postgres', table: 'r', columns: { value: 'data.nothing' } }, STORE), /no field "nothing"/);
    // Read back, the schema is not at hand: only the mapping's shape is checked.
    assert.equal(parseSinkTarget({ kind: 'postgres', table: 'r', columns: { value: 'data.nothing' } }).ok, true);
    assert.match(problem({ kind: 'postgres', table: 'r', columns: { 'v; drop table r': 'data.value' } }), /lower-case identifier/);
    assert.match(problem({ kind: 'postgres', table: 'r', extra: 1 }), /unknown attribute "extra"/);
  });

  test('http: URL shape always; allow-list and literal private addresses when stored', () => {
    const target = { kind: 'http', url: 'https://api.example.com/v1/events', mode: 'batch', timeoutms: 2000 };
    assert.deepEqual(parseSinkTarget(target, STORE), { ok: true, target });
    assert.match(problem({ ...target, url: 'https://other.example.com/' }, STORE), /host other\.example\.com is not in HTTP_SINK_ALLOWED_HOSTS/);
    assert.match(problem({ ...target, url: 'http://127.0.0.1:8080/' }, STORE), /loopback address; HTTP_SINK_ALLOW_PRIVATE_NETWORKS is off/);
    assert.equal(parseSinkTarget({ ...target, url: 'http://127.0.0.1:8080/' }, { ...STORE, http: { ...STORE.http!, allowPrivateNetworks: true } }).ok, true);
    assert.match(problem(target, { ...STORE, http: undefined }), /HTTP sinks are not enabled here/);
    assert.match(problem({ ...target, url: 'https://user:pw@api.example.com/' }), /must not carry credentials/);
    assert.match(problem({ ...target, url: 'ftp://api.example.com/' }), /http:\/\/ or https:\/\//);
    assert.match(problem({ ...target, mode: 'stream' }), /mode must be "batch"/);
    assert.match(problem({ ...target, timeoutms: 60_000 }), /timeoutms must be an integer from 100 to 20000/);
    assert.match(problem({ ...target, headers: { authorization: 'x' } }), /unknown attribute "headers"/);
    // Read back, the deployment's policy is not at hand: the sink checks it before each request.
    assert.equal(parseSinkTarget({ ...target, url: 'https://other.example.com/' }).ok, true);
  });

  test('nats: a subject outside the ingest and dead-letter streams', () => {
    assert.deepEqual(parseSinkTarget({ kind: 'nats', subject: 'enriched.cpu' }, STORE), { ok: true, target: { kind: 'nats', subject: 'enriched.cpu' } });
    assert.match(problem({ kind: 'nats', subject: 'metrics.cpu.usage.v1' }, STORE), /captured by the ingest stream \(metrics\.>\): that would be a loop/);
    assert.match(problem({ kind: 'nats', subject: 'deadletter.x' }, STORE), /captured by the dead-letter stream/);
    assert.match(problem({ kind: 'nats', subject: 'enriched.*' }), /without wildcards/);
    assert.match(problem({ kind: 'nats', subject: '$JS.API.STREAM.CREATE.X' }), /system subject/);
  });

  test('one-line descriptions for listings', () => {
    assert.equal(describeSinkTarget({ kind: 'postgres', table: 'metric_events' }), 'postgres:metric_events');
    assert.equal(describeSinkTarget({ kind: 'postgres', table: 'r', columns: { value: 'data.value', host: 'source' } }), 'postgres:r(value,host)');
    assert.equal(describeSinkTarget({ kind: 'http', url: 'https://api.example.com/in', mode: 'event' }), 'http/event:https://api.example.com/in');
    assert.equal(describeSinkTarget({ kind: 'nats', subject: 'enriched.cpu' }), 'nats:enriched.cpu');
    assert.match(describeSinkTarget({ kind: 's3' }), /^invalid \(unknown sink "s3"/);
  });

  test('identities name the place written to, never a query string', () => {
    assert.equal(sinkIdentity({ kind: 'postgres', table: 'metric_events', columns: { value: 'data.value' } }), 'postgres:metric_events');
    assert.equal(sinkIdentity({ kind: 'nats', subject: 'enriched.cpu' }), 'nats:enriched.cpu');
    assert.equal(sinkIdentity({ kind: 'http', url: 'https://api.example.com/in', mode: 'batch' }), 'http:https://api.example.com/in');
    assert.equal(
      sinkIdentity({ kind: 'http', url: 'https://api.example.com/in', mode: 'event', timeoutms: 900 }),
      'http:https://api.example.com/in',
      'mode and timeout do not change the place',
    );
    const keyed = sinkIdentity({ kind: 'http', url: 'https://api.example.com/in?api_key=s3cret', mode: 'batch' });
    assert.match(keyed, /^http:https:\/\/api\.example\.com\/in\?sha256=[0-9a-f]{12}$/);
    assert.ok(!keyed.includes('s3cret'), keyed);
    assert.notEqual(keyed, sinkIdentity({ kind: 'http', url: 'https://api.example.com/in?api_key=other', mode: 'batch' }));
  });

  test('unknown kinds and shapes', () => {
    assert.match(problem({ kind: 's3', bucket: 'b' }), /unknown sink "s3"/);
    assert.match(problem('postgres'), /must be an object/);
    assert.match(problem(undefined), /must be an object/);
  });
});

describe('sink-write checks targets before any sink sees them', () => {
  test('an invalid target fails its own records as unknown_sink; a valid one is written', async () => {
    const written: SinkTarget[] = [];
    const fake: Sink = {
      kind: 'postgres',
      async write(target, records) {
        written.push(target);
        return records.map((record) => ({ id: record.id, ok: true, duplicate: false }));
      },
    };
    const record = (id: string): SinkWriteRecord => ({
      id,
      subject: 'metrics.a.v1',
      event: { eventId: `e${id}`, routeKey: { type: 'metrics.a', version: 'v1' }, time: '2026-01-01T00:00:00.000Z', source: null, body: { id: `e${id}` } },
    });
    const deps = { sinks: new Map([['postgres', fake]]), ledger: memoryLedger() };
    // One request per target, as the bridge sends them; the target arrives as the request says.
    const write = (id: string, target: unknown) => writeEvents(target as SinkTarget, [record(id)], deps);
    const responses = await Promise.all([
      write('1', { kind: 'postgres', table: 'ok_table' }),
      write('2', { kind: 'postgres', table: 'x; drop table y' }),
      write('3', { kind: 'nats', subject: 'out.a' }),
    ]);
    const byId = new Map(responses.flatMap((response) => response.results).map((result) => [result.id, result]));
    assert.equal(byId.get('1')?.ok, true);
    const bad = byId.get('2');
    assert.ok(bad && !bad.ok && bad.failure.reason === 'unknown_sink' && /invalid sink target/.test(bad.failure.message), JSON.stringify(bad));
    const missing = byId.get('3');
    assert.ok(
      missing && !missing.ok && missing.failure.reason === 'unknown_sink' && /no sink of kind "nats"/.test(missing.failure.message),
      JSON.stringify(missing),
    );
    assert.deepEqual(written, [{ kind: 'postgres', table: 'ok_table' }]);
  });

  test('a sink that breaks unexpectedly fails only its own records, as retryable', async () => {
    const fine: Sink = { kind: 'postgres', write: async (_target, records) => records.map((record) => ({ id: record.id, ok: true, duplicate: false })) };
    const broken: Sink = {
      kind: 'nats',
      write: async () => {
        throw new TypeError('boom');
      },
    };
    const event = { eventId: 'e', routeKey: { type: 'metrics.a', version: 'v1' }, time: '2026-01-01T00:00:00.000Z', source: null, body: { id: 'e' } };
    const deps = {
      sinks: new Map([
        ['postgres', fine],
        ['nats', broken],
      ]),
      ledger: memoryLedger(),
    };
    // The bridge sends each target its own request, side by side.
    const [first, second] = await Promise.all([
      writeEvents({ kind: 'postgres', table: 't' }, [{ id: '1', subject: 'metrics.a.v1', event }], deps),
      writeEvents({ kind: 'nats', subject: 'out.a' }, [{ id: '2', subject: 'metrics.a.v1', event }], deps),
    ]);
    assert.equal(first.results.length, 1);
    assert.equal(second.results.length, 1);
    const [one, two] = [...first.results, ...second.results];
    assert.equal(one?.ok, true);
    assert.ok(
      two && !two.ok && two.failure.retryable && two.failure.reason === 'sink_unavailable' && /nats sink failed: boom/.test(two.failure.message),
      JSON.stringify(two),
    );
  });
});

describe('sink target checks, rule by rule', () => {
  const http = { kind: 'http', url: 'https://api.example.com/in', mode: 'batch' } as const;

  test('http: the URL is a string of at most 2048 characters that parses', () => {
    const base = 'https://api.example.com/';
    const longest = base + 'a'.repeat(2048 - base.length);
    assert.deepEqual(parseSinkTarget({ ...http, url: longest }), { ok: true, target: { ...http, url: longest } });
    assert.equal(problem({ ...http, url: `${longest}a` }), 'ingestion.sink.url must be a URL of at most 2048 characters');
    assert.equal(problem({ ...http, url: 42 }), 'ingestion.sink.url must be a URL of at most 2048 characters');
    assert.equal(problem({ ...http, url: 'api.example.com/in' }), 'ingestion.sink.url "api.example.com/in" is not a URL');
  });

  test('http: a user name or a password alone is a credential too; a fragment is refused', () => {
    const credentials = 'ingestion.sink.url must not carry credentials; auth headers come from HTTP_SINK_AUTH_HEADERS in the sink-write configuration';
    assert.equal(problem({ ...http, url: 'https://user@api.example.com/' }), credentials);
    assert.equal(problem({ ...http, url: 'https://:secret@api.example.com/' }), credentials);
    assert.equal(problem({ ...http, url: 'https://api.example.com/in#part' }), 'ingestion.sink.url must not have a #fragment');
    assert.equal(problem({ ...http, url: 'ftp://api.example.com/' }), 'ingestion.sink.url must be http:// or https://');
  });

  test('http: both modes; timeoutms an integer from 100 to 20000, left out when not given', () => {
    assert.deepEqual(parseSinkTarget({ ...http, mode: 'event' }), { ok: true, target: { ...http, mode: 'event' } });
    const parsed = parseSinkTarget(http);
    assert.ok(parsed.ok && !('timeoutms' in parsed.target), 'no timeoutms key when none was given');
    for (const timeoutms of [100, 20_000]) assert.deepEqual(parseSinkTarget({ ...http, timeoutms }), { ok: true, target: { ...http, timeoutms } });
    for (const timeoutms of [99, 20_001, 150.5, '200', null]) {
      assert.equal(problem({ ...http, timeoutms }), 'ingestion.sink.timeoutms must be an integer from 100 to 20000', String(timeoutms));
    }
    assert.equal(problem({ ...http, mode: undefined }), 'ingestion.sink.mode must be "batch" (one POST {"events": [...]}) or "event" (one POST per event)');
  });

  test('http: when stored, an empty allow-list refuses, names go through, literal private addresses do not', () => {
    const withPolicy = (allowedHosts: string[], allowPrivateNetworks = false): StoreChecks => ({ ...STORE, http: { allowedHosts, allowPrivateNetworks } });
    assert.equal(problem(http, withPolicy([])), 'HTTP sinks are not enabled here: HTTP_SINK_ALLOWED_HOSTS is not set where routes are stored');
    assert.equal(
      problem({ ...http, url: 'https://b.example.com/' }, withPolicy(['a.example.com', 'c.example.com'])),
      'ingestion.sink.url: host b.example.com is not in HTTP_SINK_ALLOWED_HOSTS (a.example.com, c.example.com)',
    );
    // A name is resolved and checked before each request, not here.
    assert.equal(parseSinkTarget({ ...http, url: 'http://localhost:8080/' }, withPolicy(['localhost:8080'])).ok, true);
    assert.equal(
      problem({ ...http, url: 'http://10.1.2.3/' }, withPolicy(['10.1.2.3'])),
      'ingestion.sink.url: 10.1.2.3 is a private network address; HTTP_SINK_ALLOW_PRIVATE_NETWORKS is off',
    );
    assert.match(
      problem({ ...http, url: 'http://[::1]/' }, withPolicy(['[::1]'])),
      /^ingestion\.sink\.url: \[::1\] is a loopback address; HTTP_SINK_ALLOW_PRIVATE_NETWORKS is off$/,
    );
    assert.equal(parseSinkTarget({ ...http, url: 'http://93.184.216.34/' }, withPolicy(['93.184.216.34'])).ok, true, 'a public literal address is fine');
    // Only a literal address is judged here; a name that merely starts or ends with digits is a name.
    assert.equal(parseSinkTarget({ ...http, url: 'http://sink1:8080/' }, withPolicy(['sink1:8080'])).ok, true, 'sink1');
    assert.equal(parseSinkTarget({ ...http, url: 'https://1sink.example.com/' }, withPolicy(['1sink.example.com'])).ok, true, '1sink.example.com');
  });

  test('nats: system subjects, non-string subjects, and loops are refused; read back, streams are not checked', () => {
    assert.equal(problem({ kind: 'nats', subject: '_INBOX.abc' }), 'ingestion.sink.subject _INBOX.abc is a system subject');
    assert.equal(problem({ kind: 'nats', subject: '$SYS.x' }), 'ingestion.sink.subject $SYS.x is a system subject');
    assert.deepEqual(parseSinkTarget({ kind: 'nats', subject: 'inbox.x' }), { ok: true, target: { kind: 'nats', subject: 'inbox.x' } });
    assert.equal(problem({ kind: 'nats', subject: 7 }), 'ingestion.sink.subject must be a NATS subject without wildcards');
    assert.equal(problem({ kind: 'nats', subject: ['enriched.cpu'] }), 'ingestion.sink.subject must be a NATS subject without wildcards');
    assert.equal(problem({ kind: 'nats', subject: 'enriched.cpu', extra: true }), 'ingestion.sink has unknown attribute "extra"');
    assert.equal(
      problem({ kind: 'nats', subject: 'deadletter.x' }, STORE),
      'ingestion.sink.subject deadletter.x is captured by the dead-letter stream (deadletter.>)',
    );
    assert.equal(parseSinkTarget({ kind: 'nats', subject: 'metrics.cpu.usage.v1' }).ok, true);
  });

  test("postgres: table names, reserved tables, and the column mapping's own errors", () => {
    assert.equal(problem({ kind: 'postgres' }), 'ingestion.sink.table "undefined" must be [schema.]table in lower case (a-z, 0-9, _)');
    assert.equal(problem({ kind: 'postgres', table: 'a.b.c' }), 'ingestion.sink.table "a.b.c" must be [schema.]table in lower case (a-z, 0-9, _)');
    assert.match(problem({ kind: 'postgres', table: 'sink_deliveries' }), /^ingestion\.sink\.table "sink_deliveries" is not allowed: /);
    const plain = parseSinkTarget({ kind: 'postgres', table: 'events' });
    assert.ok(plain.ok && !('columns' in plain.target), 'no columns key when none was given');
    assert.equal(
      problem({ kind: 'postgres', table: 'r', columns: {} }),
      'ingestion.sink.columns must map at least one column (leave it out for the default layout)',
    );
    assert.match(problem({ kind: 'postgres', table: 'r', columns: { value: 'data.nothing' } }, STORE), /^ingestion\.sink\.columns: .*no field "nothing"/);
    const columns = { value: 'data.value' };
    const mapped = parseSinkTarget({ kind: 'postgres', table: 'r', columns }, STORE);
    assert.ok(mapped.ok && mapped.target.kind === 'postgres', JSON.stringify(mapped));
    assert.notEqual(mapped.target.columns, columns, "the stored mapping is a copy, not the caller's object");
  });

  test('kinds: only own kinds of the table, named in the refusal', () => {
    const kinds = 'ingestion.sink.kind must be one of postgres, http, nats';
    assert.equal(problem({ kind: 'toString' }), `unknown sink "toString" (${kinds})`);
    assert.equal(problem({ kind: 1 }), `unknown sink "1" (${kinds})`);
    assert.equal(
      problem({ kind: ['nats'], subject: 'a' }),
      `unknown sink "nats" (${kinds})`,
      'a kind that is not a string is unknown, even one that reads like a kind',
    );
    assert.equal(problem({}), `unknown sink "undefined" (${kinds})`);
    assert.equal(problem([{ kind: 'nats', subject: 'a' }]), 'ingestion.sink must be an object with a "kind"');
    assert.equal(problem(null), 'ingestion.sink must be an object with a "kind"');
    assert.deepEqual(sinkTargetAttributes('postgres'), ['kind', 'table', 'columns']);
    assert.deepEqual(sinkTargetAttributes('http'), ['kind', 'url', 'mode', 'timeoutms']);
    assert.deepEqual(sinkTargetAttributes('nats'), ['kind', 'subject']);
    assert.equal(sinkTargetAttributes('constructor'), undefined);
    assert.equal(sinkTargetAttributes(undefined), undefined);
    assert.deepEqual(SINK_KINDS, ['postgres', 'http', 'nats']);
  });

  test('a stored target that no longer parses as a URL still gets an identity, and one without a query has no digest', () => {
    assert.equal(sinkIdentity({ kind: 'http', url: 'not a url', mode: 'batch' }), 'http:invalid-url');
    assert.equal(sinkIdentity({ kind: 'http', url: 'https://api.example.com/in?', mode: 'batch' }), 'http:https://api.example.com/in');
    const digest = createHash('sha256').update('?k=v').digest('hex').slice(0, 12);
    assert.equal(sinkIdentity({ kind: 'http', url: 'https://api.example.com/in?k=v', mode: 'batch' }), `http:https://api.example.com/in?sha256=${digest}`);
  });

  test('the sink entries of an ingestion attribute: sinks, else sink, else none', () => {
    const a = { kind: 'nats', subject: 'a' };
    const b = { kind: 'nats', subject: 'b' };
    assert.deepEqual(ingestionSinkEntries({ sinks: [a, b], sink: a }), [a, b]);
    assert.deepEqual(ingestionSinkEntries({ sink: a }), [a]);
    assert.deepEqual(ingestionSinkEntries({ sinks: 'x', sink: b }), [b]);
    assert.deepEqual(ingestionSinkEntries({}), []);
    assert.deepEqual(ingestionSinkEntries([a]), []);
    assert.deepEqual(ingestionSinkEntries(null), []);
  });

  test('an invalid target is described with its problem', () => {
    assert.equal(describeSinkTarget({ kind: 'nats', subject: 'a.*' }), 'invalid (ingestion.sink.subject must be a NATS subject without wildcards)');
  });
});
