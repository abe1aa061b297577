import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { type BridgeConfig, loadBridgeConfig, loadReplayConfig } from '../../shared/config/index.ts';
import { type DeadLetter, type DeadLetters, MissingOriginalError, openDeadLetters } from '../../shared/deadletters/index.ts';
import type { RecordFailure } from '../../shared/failures/index.ts';
import type { RouteKey } from '../../shared/names/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, type NatsConnection } from '../../shared/nats/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { sampleEvent } from '../../shared/producer/index.ts';
import { createRouteLookup, type RouteRecord } from '../../shared/routes/index.ts';
import {
  createLetterDecoder,
  DecoderCache,
  type LetterDecoder,
  listLetters,
  PurgeCountChangedError,
  purgeLetters,
  showLetter,
} from '../../shared/stages/index.ts';
import { loadRegistry, migrateRegistry } from '../../shared/xregistry/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { runStreamsEnv, uniqueRunId } from '../helpers/names.ts';
import { exampleDocumentFor } from '../helpers/plane.ts';
import { writeRealLetter } from '../helpers/realLetters.ts';

const VALID = 3;
const BROKEN = 4;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('dead-letter triage against real dead letters (real NATS, registry in PostgreSQL)', () => {
  const runId = uniqueRunId();
  const unroutedSubject = `${runId}.cpu.unrouted.v1`;
  let config: BridgeConfig;
  let route: RouteRecord;
  let sql: Sql;
  let dropDatabase: (() => Promise<void>) | undefined;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let deadLetters: DeadLetters;
  let decode: LetterDecoder;
  const valid: DeadLetter[] = [];
  const broken: DeadLetter[] = [];
  let large: DeadLetter;
  const originals = new Map<string, Buffer>();
  const eventIds = new Map<string, string>();

  async function deleteStreams(): Promise<void> {
    for (const stream of [
      config.nats.ingest.name,
      config.nats.deadLetter.name,
      advisoryTopology(config.nats).stream,
      `OBJ_${config.nats.deadLetter.payloadBucket}`,
    ]) {
      await jsm.streams.delete(stream).catch(() => false);
    }
  }

  /** A real letter (test/helpers/realLetters.ts): published, first failed a moment later, dead-lettered after a retry, the history's order. */
  async function letterOf(
    subject: string,
    data: Buffer,
    msgId: string,
    failure: RecordFailure,
    routeKey: RouteKey | null,
    eventId: string | null,
    headers: Record<string, string[]> = {},
  ): Promise<DeadLetter> {
    const letter = await writeRealLetter(
      {
        js,
        jsm,
        ingestStream: config.nats.ingest.name,
        writer: deadLetters.writer,
        deadLetterSubjectOf: (original) => (original === route.subject ? route.deadLetterSubject : config.nats.defaultDeadLetterSubject),
      },
      { subject, data, msgId, headers },
      {
        failure,
        routeKey,
        eventId,
        deliveries: 2,
        times: (publishedAt) => ({ firstFailedAt: new Date(publishedAt.getTime() + 100), now: new Date(publishedAt.getTime() + 200) }),
      },
    );
    originals.set(letter.id, data);
    return letter;
  }

  async function letterCount(): Promise<number> {
    return (await jsm.streams.info(config.nats.deadLetter.name)).state.messages;
  }

  before(async () => {
    const database = await createTestDatabase(`triage_${runId}`);
    dropDatabase = database.drop;
    const env = { DATABASE_URL: database.url, ...runStreamsEnv(runId), REGISTRY_CACHE_TTL_MS: '0', REGISTRY_NEGATIVE_CACHE_TTL_MS: '0' };
    config = loadBridgeConfig(env);
    sql = createSql(database.url, { max: 2, applicationName: 'triage-test' });
    await migrateRegistry(sql, MIGRATIONS_DIR);
    [route] = (await loadRegistry(sql, await exampleDocumentFor(runId, 'raw'), {
      ingest: config.nats.ingest.subjects,
      deadLetter: config.nats.deadLetter.subjects,
    })) as [RouteRecord];
    decode = createLetterDecoder({ routes: createRouteLookup(sql, loadReplayConfig(env).registryCache), decoders: new DecoderCache() });
    nc = await connectNats(config.nats.url, `triage-test-${runId}`, config.nats.security);
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    deadLetters = openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc.info });
    await deleteStreams();
    await ensureTopology(jsm, config.nats, consumerSettingsFor(config));

    const type = new SchemaCache().get(route.schema.cacheKey, route.schema.definition);
    for (let i = 0; i < VALID; i++) {
      const event = sampleEvent(route);
      const letter = await letterOf(
        route.subject,
        encodeAvro(type, event),
        event.id,
        { stage: 'route', reason: 'unknown_route', message: `no route for ${route.subject}`, retryable: false },
        route.key,
        event.id,
        // The producer traced the first one: its trace id is the letter's.
        i === 0 ? { traceparent: [`00-${TRACE_ID}-00f067aa0ba902b7-01`] } : {},
      );
      eventIds.set(letter.id, event.id);
      valid.push(letter);
    }
    for (let i = 0; i < BROKEN; i++) {
      const bytes = Buffer.from(Array.from({ length: 12 + i }, (_, k) => (k * 37 + 255 - i) % 256));
      broken.push(
        await letterOf(
          route.subject,
          bytes,
          `broken-${i}`,
          { stage: 'validate', reason: 'avro_decode_failed', message: 'not Avro', retryable: false },
          route.key,
          null,
        ),
      );
    }
    large = await letterOf(
      unroutedSubject,
      Buffer.alloc(nc.info!.max_payload - 2048, 0x5a),
      'large-1',
      { stage: 'bridge', reason: 'payload_too_large', message: 'too large for one request', retryable: false },
      null,
      null,
    );
    assert.equal(await letterCount(), VALID + BROKEN + 1);
  });

  after(async () => {
    if (jsm !== undefined) await deleteStreams();
    await nc?.close().catch(() => {});
    await sql?.end({ timeout: 5 }).catch(() => {});
    await dropDatabase?.();
  });

  test('listLetters counts by reason over every selected letter, also those past the limit, and lists the oldest up to the limit', async () => {
    const all = await listLetters(deadLetters.store, {}, 2);
    assert.deepEqual(
      all.letters.map((stored) => stored.letter.id),
      valid.slice(0, 2).map((letter) => letter.id),
    );
    assert.equal(all.total, VALID + BROKEN + 1);
    assert.deepEqual(all.byReason, { unknown_route: VALID, avro_decode_failed: BROKEN, payload_too_large: 1 });
    assert.equal(all.truncated, true);

    const onRoute = await listLetters(deadLetters.store, { subject: route.subject }, 100);
    assert.deepEqual(
      onRoute.letters.map((stored) => stored.letter.id),
      [...valid, ...broken].map((letter) => letter.id),
    );
    assert.deepEqual(onRoute.byReason, { unknown_route: VALID, avro_decode_failed: BROKEN });
    assert.equal(onRoute.truncated, false);
  });

  test('showLetter decodes the payload with the registry where it decodes, and says why where it does not', async () => {
    const good = await showLetter(deadLetters.store, decode, valid[0]!.id);
    assert.ok(good !== undefined);
    assert.equal(good.decoded.ok, true, JSON.stringify(good.decoded));
    assert.ok(good.decoded.ok);
    const event = good.decoded.event as { id?: unknown; source?: unknown };
    assert.equal(event.id, eventIds.get(valid[0]!.id));
    assert.equal(event.source, 'ingest-cli');
    assert.equal(good.payload, originals.get(valid[0]!.id)!.toString('base64'));
    assert.equal(good.traceId, TRACE_ID);
    assert.equal(good.reason, 'unknown_route');
    assert.equal(good.parked, false);
    assert.deepEqual(good.sinks, []);
    assert.deepEqual(
      good.history.map((entry) => entry.what),
      [
        `published on ${route.subject} (${config.nats.ingest.name} sequence ${valid[0]!.streamSequence})`,
        'first failed',
        'dead-lettered by route: unknown_route after 2 attempts',
      ],
    );

    const bad = await showLetter(deadLetters.store, decode, broken[1]!.id);
    assert.ok(bad !== undefined && !bad.decoded.ok);
    assert.equal(bad.decoded.reason, 'avro_decode_failed');
    assert.equal(bad.traceId, null);

    const apart = await showLetter(deadLetters.store, decode, large.id);
    assert.ok(apart !== undefined && !apart.decoded.ok);
    assert.ok(Buffer.from(apart.payload, 'base64').equals(originals.get(large.id)!), 'the original comes back from the object store');
    assert.equal(apart.decoded.reason, 'unknown_route');

    assert.equal(await showLetter(deadLetters.store, decode, `${config.nats.ingest.name}:999999`), undefined);
  });

  test('purgeLetters: a stale expected count deletes nothing and throws; the right one deletes exactly the selected letters and their originals', async () => {
    const before = await letterCount();
    assert.deepEqual(await purgeLetters(deadLetters.store, { reason: 'avro_decode_failed' }, {}), { matched: BROKEN, deleted: 0, withStoredOriginals: 0 });
    await assert.rejects(purgeLetters(deadLetters.store, { reason: 'avro_decode_failed' }, { expected: BROKEN - 1 }), (error: unknown) => {
      assert.ok(error instanceof PurgeCountChangedError);
      assert.deepEqual([error.matched, error.expected, error.retryable], [BROKEN, BROKEN - 1, false]);
      return true;
    });
    assert.equal(await letterCount(), before, 'counting and a stale count delete nothing');

    assert.deepEqual(await purgeLetters(deadLetters.store, { reason: 'avro_decode_failed' }, { expected: BROKEN }), {
      matched: BROKEN,
      deleted: BROKEN,
      withStoredOriginals: 0,
    });
    assert.equal(await letterCount(), before - BROKEN);

    const ref = (await deadLetters.store.find(large.id))!.letter.stored!;
    assert.deepEqual(await purgeLetters(deadLetters.store, { subject: unroutedSubject }, { expected: 1 }), { matched: 1, deleted: 1, withStoredOriginals: 1 });
    await assert.rejects(deadLetters.originals.get(ref), MissingOriginalError, 'its original went with it');
    assert.equal(await letterCount(), VALID);
    assert.deepEqual(
      (await listLetters(deadLetters.store, {}, 100)).letters.map((stored) => stored.letter.id),
      valid.map((letter) => letter.id),
    );
  });
});
