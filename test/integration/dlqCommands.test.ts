import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { runReplay } from '../../shared/stages/dlqReplay/replay.ts';
import { createReplayRuntime } from '../../shared/wiring/dlqReplay.ts';
import { loadRegistry, migrateRegistry } from '../../shared/xregistry/index.ts';
import { sampleEvent } from '../../shared/producer/index.ts';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import { type BridgeConfig, loadBridgeConfig, loadReplayConfig } from '../../shared/config/index.ts';
import { type DeadLetter, type DeadLetters, MissingOriginalError, openDeadLetters, REPLAY_COUNT_HEADER } from '../../shared/deadletters/index.ts';
import type { RecordFailure } from '../../shared/failures/index.ts';
import { advisoryTopology, connectNats, consumerSettingsFor, ensureTopology, headersToMap, type NatsConnection } from '../../shared/nats/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import type { RouteKey } from '../../shared/names/index.ts';
import type { RouteRecord } from '../../shared/routes/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { runIngest } from '../helpers/ingestCli.ts';
import { runStreamsEnv, uniqueRunId } from '../helpers/names.ts';
import { exampleDocumentFor } from '../helpers/plane.ts';
import { writeRealLetter } from '../helpers/realLetters.ts';

const VALID = 4;
const BROKEN = 2;
/** lastFailedAt of each kind of letter, so --since and --until have something to tell apart. */
const FAILED_AT = { valid: '2026-03-01T10:00:00.000Z', broken: '2026-03-02T10:00:00.000Z', large: '2026-03-03T10:00:00.000Z' } as const;

/** The letters one test works on, and what they were made from. */
type Letters = {
  readonly valid: readonly DeadLetter[];
  readonly broken: readonly DeadLetter[];
  readonly large: DeadLetter;
  /** Every letter, oldest first, as built (the large one still with its original inline). */
  readonly all: readonly DeadLetter[];
  /** Every letter as the dead-letter stream holds it once written (the large one pointing into the object store). */
  readonly written: readonly DeadLetter[];
  /** The original bytes of each letter, by letter id. */
  readonly originals: ReadonlyMap<string, Buffer>;
  /** The event id a valid original carries, by letter id. */
  readonly eventIds: ReadonlyMap<string, string>;
};

describe('ingest dlq list, show, replay and purge, run as a child process (real NATS and PostgreSQL)', () => {
  const runId = uniqueRunId();
  let env: Record<string, string>;
  let config: BridgeConfig;
  let route: RouteRecord;
  let sql: Sql;
  let dropDatabase: (() => Promise<void>) | undefined;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let deadLetters: DeadLetters;
  const unroutedSubject = `${runId}.cpu.unrouted.v1`;

  before(async () => {
    const database = await createTestDatabase(`ingest_${runId}`);
    dropDatabase = database.drop;
    env = { DATABASE_URL: database.url, ...runStreamsEnv(runId), REGISTRY_CACHE_TTL_MS: '0', REGISTRY_NEGATIVE_CACHE_TTL_MS: '0' };
    config = loadBridgeConfig(env);
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    await migrateRegistry(sql, MIGRATIONS_DIR);
    [route] = (await loadRegistry(sql, await exampleDocumentFor(runId, 'raw'), {
      ingest: config.nats.ingest.subjects,
      deadLetter: config.nats.deadLetter.subjects,
    })) as [RouteRecord];
    env.NATS_URL = config.nats.url;
    nc = await connectNats(config.nats.url, `ingest-test-${runId}`, config.nats.security);
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    deadLetters = openDeadLetters({ js, jsm, deadLetter: config.nats.deadLetter, serverInfo: () => nc.info });
  });

  after(async () => {
    await nc?.close().catch(() => {});
    await sql?.end({ timeout: 5 }).catch(() => {});
    await dropDatabase?.();
  });

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

  /**
   * Fresh streams with real dead letters, as the bridge writes them: each original is published to
   * the ingest stream, fetched back by sequence, and dead-lettered with the real writer. VALID events
   * of the route (then unrouted), BROKEN random bytes on the route's subject, and one original too
   * large for its letter, on a subject no route has. The streams are deleted afterwards, whatever
   * `work` does.
   */
  async function withLetters(work: (letters: Letters) => Promise<void>): Promise<void> {
    await deleteStreams();
    await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
    try {
      const type = new SchemaCache().get(route.schema.cacheKey, route.schema.definition);
      const originals = new Map<string, Buffer>();
      const eventIds = new Map<string, string>();
      // Real letters (test/helpers/realLetters.ts), failed first a minute before `at`.
      const letterOf = async (
        subject: string,
        data: Buffer,
        msgId: string,
        failure: RecordFailure,
        at: string,
        routeKey: RouteKey | null,
        eventId: string | null,
      ): Promise<DeadLetter> => {
        const letter = await writeRealLetter(
          {
            js,
            jsm,
            ingestStream: config.nats.ingest.name,
            writer: deadLetters.writer,
            deadLetterSubjectOf: (original) => (original === route.subject ? route.deadLetterSubject : config.nats.defaultDeadLetterSubject),
          },
          { subject, data, msgId, headers: { 'Trace-Id': [`trace-${msgId}`] } },
          { failure, routeKey, eventId, deliveries: 3, times: () => ({ firstFailedAt: new Date(Date.parse(at) - 60_000), now: new Date(at) }) },
        );
        originals.set(letter.id, data);
        return letter;
      };
      const valid: DeadLetter[] = [];
      for (let i = 0; i < VALID; i++) {
        const event = sampleEvent(route);
        const letter = await letterOf(
          route.subject,
          encodeAvro(type, event),
          event.id,
          { stage: 'route', reason: 'unknown_route', message: `no route for ${route.subject}`, retryable: false },
          FAILED_AT.valid,
          route.key,
          event.id,
        );
        eventIds.set(letter.id, event.id);
        valid.push(letter);
      }
      const broken: DeadLetter[] = [];
      for (let i = 0; i < BROKEN; i++) {
        const bytes = Buffer.from(Array.from({ length: 12 + i }, (_, k) => (k * 37 + 255 - i) % 256));
        broken.push(
          await letterOf(
            route.subject,
            bytes,
            `broken-${i}`,
            { stage: 'validate', reason: 'avro_decode_failed', message: 'not Avro', retryable: false },
            FAILED_AT.broken,
            route.key,
            null,
          ),
        );
      }
      const big = Buffer.alloc(nc.info!.max_payload - 2048, 0x5a);
      const large = await letterOf(
        unroutedSubject,
        big,
        'large-1',
        { stage: 'bridge', reason: 'payload_too_large', message: 'too large for one request', retryable: false },
        FAILED_AT.large,
        null,
        null,
      );
      assert.equal(large.stored, undefined, 'built inline; the writer moves it out');
      const written = await stored();
      await work({ valid, broken, large, all: [...valid, ...broken, large], written, originals, eventIds });
    } finally {
      await deleteStreams();
    }
  }

  async function messages(stream: string): Promise<number> {
    return (await jsm.streams.info(stream)).state.messages;
  }

  async function listJson(args: readonly string[] = []): Promise<(DeadLetter & { deadLetterSequence: number })[]> {
    const result = await runIngest(['dlq', 'list', '--json', ...args], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    return JSON.parse(result.stdout) as (DeadLetter & { deadLetterSequence: number })[];
  }

  async function listedIds(args: readonly string[]): Promise<string[]> {
    return (await listJson(args)).map((letter) => letter.id);
  }

  /** The letters as the dead-letter stream holds them now, read in-process (not through the command under test). */
  async function stored(): Promise<DeadLetter[]> {
    return (await deadLetters.store.list(Number.MAX_SAFE_INTEGER)).map((entry) => entry.letter);
  }

  async function storedIds(): Promise<string[]> {
    return (await stored()).map((letter) => letter.id);
  }

  test('dlq list prints every letter with its columns and a count; --json the letters themselves; each filter selects exactly its letters', async () => {
    await withLetters(async ({ valid, broken, large, all }) => {
      const text = await runIngest(['dlq', 'list'], env);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stderr, '');
      const line = (letter: DeadLetter, original: string): string =>
        [
          letter.id,
          letter.firstFailedAt,
          letter.lastFailedAt,
          letter.subject,
          letter.stage,
          letter.reason,
          '3',
          '0',
          letter.eventId ?? '-',
          original,
          letter.message,
        ].join('\t');
      assert.deepEqual(text.stdout.split('\n'), [
        'id\tfirstFailedAt\tlastFailedAt\tsubject\tstage\treason\tattempts\treplays\teventId\toriginal\tmessage',
        ...[...valid, ...broken].map((letter) => line(letter, 'inline')),
        line(large, `object store (${nc.info!.max_payload - 2048} bytes)`),
        `${all.length} dead letter(s)`,
        '',
      ]);

      const json = await listJson();
      assert.deepEqual(
        json.map((letter) => letter.id),
        all.map((letter) => letter.id),
      );
      assert.deepEqual(
        json.map((letter) => letter.deadLetterSequence),
        all.map((_, index) => index + 1),
      );
      const { deadLetterSequence: _seq, ...firstValid } = json[0]!;
      assert.deepEqual(firstValid, valid[0]);
      const listedLarge = json.at(-1)!;
      assert.equal(listedLarge.payload, undefined);
      assert.deepEqual(listedLarge.headers, {});
      assert.deepEqual(listedLarge.stored, { bucket: config.nats.deadLetter.payloadBucket, object: large.id, payloadBytes: nc.info!.max_payload - 2048 });

      const ids = (letters: readonly DeadLetter[]): string[] => letters.map((letter) => letter.id);
      // Each filter against the same letters; they only read, so they run side by side.
      const filtered: [string[], string[]][] = [
        [['--reason', 'avro_decode_failed'], ids(broken)],
        [['--route', route.subject], ids([...valid, ...broken])],
        [['--subject', unroutedSubject], [large.id]],
        // Between the valid letters' and the large one's failure times: both bounds cut.
        [['--since', '2026-03-02T00:00:00Z', '--until', '2026-03-02T23:59:59Z'], ids(broken)],
        // An id as `ingest dlq list` shows it, and as a bare sequence of the ingest stream.
        [
          ['--id', valid[1]!.id, '--id', String(large.streamSequence)],
          [valid[1]!.id, large.id],
        ],
        [['--limit', '2'], ids(valid.slice(0, 2))],
      ];
      const listed = await Promise.all(filtered.map(([args]) => listedIds(args)));
      for (const [index, [args, expected]] of filtered.entries()) assert.deepEqual(listed[index], expected, args.join(' '));
      const none = await runIngest(['dlq', 'list', '--reason', 'no_such_reason'], env);
      assert.deepEqual(none, {
        code: 0,
        stdout: 'id\tfirstFailedAt\tlastFailedAt\tsubject\tstage\treason\tattempts\treplays\teventId\toriginal\tmessage\n0 dead letter(s)\n',
        stderr: '',
      });
    });
  });

  test('dlq show prints one letter in full: original headers and payload (from the object store when kept there), decoded when it decodes now', async () => {
    await withLetters(async ({ valid, broken, large, originals, eventIds }) => {
      type Shown = DeadLetter & { deadLetterSequence: number; decoded: unknown };
      const show = async (id: string): Promise<Shown> => {
        const result = await runIngest(['dlq', 'show', id], env);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, '');
        return JSON.parse(result.stdout) as Shown;
      };

      const [good, bySequence, bad, apart] = (await Promise.all(
        [valid[2]!.id, String(valid[2]!.streamSequence), broken[0]!.id, large.id].map((id) => show(id)),
      )) as [Shown, Shown, Shown, Shown];
      assert.equal(good.id, valid[2]!.id);
      assert.equal(good.deadLetterSequence, 3);
      assert.equal(good.payload, originals.get(valid[2]!.id)!.toString('base64'));
      assert.deepEqual(good.headers['Trace-Id'], [`trace-${eventIds.get(valid[2]!.id)}`]);
      assert.deepEqual(good.headers['Nats-Msg-Id'], [eventIds.get(valid[2]!.id)]);
      const decoded = good.decoded as { id?: unknown; source?: unknown; data?: { name?: unknown } };
      assert.equal(typeof decoded, 'object', JSON.stringify(good.decoded));
      assert.equal(decoded.id, eventIds.get(valid[2]!.id));
      assert.equal(decoded.source, 'ingest-cli');

      // A bare sequence of the ingest stream names the same letter.
      assert.deepEqual(bySequence, good);

      assert.equal(bad.payload, originals.get(broken[0]!.id)!.toString('base64'));
      assert.match(String(bad.decoded), /^\(does not decode now: avro_decode_failed: /);

      assert.deepEqual(apart.stored, { bucket: config.nats.deadLetter.payloadBucket, object: large.id, payloadBytes: originals.get(large.id)!.length });
      assert.ok(Buffer.from(apart.payload ?? '', 'base64').equals(originals.get(large.id)!), 'the original is read back from the object store, byte for byte');
      assert.deepEqual(apart.headers['Trace-Id'], ['trace-large-1']);
      assert.match(String(apart.decoded), /^\(does not decode now: unknown_route: /);
    });
  });

  test('bad input: an unknown id exits 1 saying so; a malformed id, a bad value or an unknown option exits 2 with its usage; nothing changes', async () => {
    await withLetters(async ({ written }) => {
      const usage: [string[], RegExp][] = [
        [
          ['dlq', 'show', 'not-an-id'],
          /^ingest: the dead letter id "not-an-id" is not a dead-letter id: <stream>:<sequence> .*\nusage: ingest dlq show <id>\n$/,
        ],
        [['dlq', 'show'], /^ingest: missing <id>\nusage: ingest dlq show <id>\n$/],
        [['dlq', 'list', '--id', 'a:b'], /--id "a:b" is not a dead-letter id/],
        [['dlq', 'list', '--limit', '0'], /^ingest: --limit must be a positive integer, got "0"\nusage: ingest dlq list /],
        [['dlq', 'replay', '--until', 'soon'], /^ingest: --until must be an ISO-8601 time, got "soon"\nusage: ingest dlq replay /],
        [['dlq', 'replay', '--bogus'], /^ingest: Unknown option '--bogus'\nusage: ingest dlq replay /],
        // A purge with --yes and a filter it cannot read deletes nothing.
        [['dlq', 'purge', '--since', 'last week', '--yes'], /^ingest: --since must be an ISO-8601 time, got "last week"\nusage: ingest dlq purge /],
      ];
      const unknownId = `${config.nats.ingest.name}:999`;
      const [unknown, ...results] = await Promise.all([runIngest(['dlq', 'show', unknownId], env), ...usage.map(([args]) => runIngest(args, env))]);
      assert.deepEqual(unknown, { code: 1, stdout: `no dead letter with id ${unknownId}\n`, stderr: '' });
      usage.forEach(([args, message], index) => {
        const result = results[index]!;
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message, args.join(' '));
        assert.equal(result.stdout, '', args.join(' '));
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      });
      assert.deepEqual(await stored(), written, 'every letter is still there, unchanged');
    });
  });

  test('dlq replay --dry-run reports what would replay and changes nothing; dlq replay republishes the originals with the replay header and removes their letters', async () => {
    await withLetters(async ({ valid, broken, large, all, written, originals }) => {
      const ingested = await messages(config.nats.ingest.name);

      const dry = await runIngest(['dlq', 'replay', '--dry-run'], env);
      assert.equal(dry.code, 0, dry.stderr);
      const dryLines = dry.stdout.split('\n');
      assert.deepEqual(
        dryLines.slice(0, all.length).map((line) => line.split('\t').slice(0, 4)),
        [
          ...valid.map((letter) => [letter.id, route.subject, 'unknown_route', 'would-replay']),
          ...broken.map((letter) => [letter.id, route.subject, 'avro_decode_failed', 'still-failing']),
          [large.id, unroutedSubject, 'payload_too_large', 'still-failing'],
        ],
      );
      assert.match(dryLines[VALID]!.split('\t')[4]!, /^avro_decode_failed: /);
      assert.match(dryLines[all.length - 1]!.split('\t')[4]!, /^unknown_route: /);
      assert.deepEqual(dryLines.slice(all.length), [`dry run: examined ${all.length}: ${VALID} would-replay, ${BROKEN + 1} still-failing`, '']);
      assert.equal(await messages(config.nats.ingest.name), ingested, 'a dry run publishes nothing');
      assert.deepEqual(await stored(), written, 'a dry run rewrites no letter');
      assert.equal(await messages(config.nats.deadLetter.name), all.length);

      const replayed = await runIngest(['dlq', 'replay', '--reason', 'unknown_route'], env);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.deepEqual(replayed.stdout.split('\n'), [
        ...valid.map((letter) => [letter.id, route.subject, 'unknown_route', 'replayed', ''].join('\t')),
        `examined ${VALID}: ${VALID} replayed`,
        '',
      ]);
      assert.equal(await messages(config.nats.ingest.name), ingested + VALID, 'each original is published once more');
      for (const [index, letter] of valid.entries()) {
        const republished = (await jsm.streams.getMessage(config.nats.ingest.name, { seq: ingested + index + 1 }))!;
        const headers = headersToMap(republished.header);
        assert.equal(republished.subject, route.subject);
        assert.ok(Buffer.from(republished.data).equals(originals.get(letter.id)!), 'the original bytes');
        assert.deepEqual(headers[REPLAY_COUNT_HEADER], ['1']);
        assert.deepEqual(headers['Nats-Msg-Id'], [`replay:${letter.id}:1`]);
        assert.deepEqual(headers['Trace-Id'], letter.headers['Trace-Id'], "the producer's own headers travel with it");
      }
      assert.deepEqual(await stored(), written.slice(VALID), 'the replayed letters are gone, the others untouched');

      // A letter that still fails stays, under the same id, with one replay counted.
      const again = await runIngest(['dlq', 'replay', '--id', broken[0]!.id], env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        new RegExp(
          `^${broken[0]!.id}\\t${route.subject.replaceAll('.', '\\.')}\\tavro_decode_failed\\tstill-failing\\tavro_decode_failed: .*\\nexamined 1: 1 still-failing\\n$`,
        ),
      );
      const after = await stored();
      assert.deepEqual(
        after.map((letter) => letter.id),
        [broken[1]!.id, large.id, broken[0]!.id],
        'rewritten as the newest letter, under its id',
      );
      assert.equal(after[2]!.replayCount, 1);
      assert.equal(after[2]!.firstFailedAt, broken[0]!.firstFailedAt);
      assert.equal(await messages(config.nats.ingest.name), ingested + VALID, 'a letter that still fails is not republished');
    });
  });

  test('dlq purge without --yes counts and exits 1; with --yes deletes exactly the selected letters and the originals kept in the object store', async () => {
    await withLetters(async ({ valid, broken, all, written }) => {
      const ref = (await stored()).at(-1)!.stored!;
      assert.equal(ref.object, written.at(-1)!.id);
      assert.ok((await deadLetters.originals.get(ref)).payload.length > 0, 'the large original is in the object store');

      const [counted, countedApart, nothing] = await Promise.all([
        runIngest(['dlq', 'purge', '--reason', 'avro_decode_failed'], env),
        runIngest(['dlq', 'purge', '--subject', unroutedSubject], env),
        runIngest(['dlq', 'purge', '--reason', 'no_such_reason'], env),
      ]);
      assert.deepEqual(counted, { code: 1, stdout: `would delete ${BROKEN} dead letter(s); run again with --yes to delete them\n`, stderr: '' });
      assert.deepEqual(countedApart, {
        code: 1,
        stdout: 'would delete 1 dead letter(s) (1 with their originals in the object store); run again with --yes to delete them\n',
        stderr: '',
      });
      assert.deepEqual(nothing, { code: 0, stdout: 'would delete 0 dead letter(s); run again with --yes to delete them\n', stderr: '' });
      assert.deepEqual(await stored(), written, 'counting deletes nothing');

      const purgedLarge = await runIngest(['dlq', 'purge', '--subject', unroutedSubject, '--yes'], env);
      assert.deepEqual(purgedLarge, { code: 0, stdout: 'deleted 1 dead letter(s) (1 with their originals in the object store)\n', stderr: '' });
      await assert.rejects(deadLetters.originals.get(ref), MissingOriginalError, 'its object went with it');
      assert.deepEqual(
        await storedIds(),
        [...valid, ...broken].map((letter) => letter.id),
      );

      const purgedBroken = await runIngest(['dlq', 'purge', '--reason', 'avro_decode_failed', '--yes'], env);
      assert.deepEqual(purgedBroken, { code: 0, stdout: `deleted ${BROKEN} dead letter(s)\n`, stderr: '' });
      assert.deepEqual(
        await storedIds(),
        valid.map((letter) => letter.id),
      );
      assert.equal(await messages(config.nats.deadLetter.name), VALID);
      assert.equal(await messages(config.nats.ingest.name), all.length, 'a purge never republishes');
    });
  });

  test('a replay keeps to DLQ_REPLAY_RATE_PER_SECOND: N letters at r per second take at least (N-1)/r seconds', async () => {
    await withLetters(async () => {
      const ratePerSecond = 2;
      const runtime = createReplayRuntime(loadReplayConfig({ ...env, DLQ_REPLAY_RATE_PER_SECOND: String(ratePerSecond) }));
      try {
        const deps = await runtime.deps();
        const started = performance.now();
        const report = await runReplay({ reason: 'unknown_route' }, deps);
        const elapsedMs = performance.now() - started;
        assert.equal(report.counts.replayed, VALID);
        const boundMs = ((VALID - 1) * 1000) / ratePerSecond;
        // Timers may fire up to a millisecond early against this clock; one per pause at most.
        assert.ok(elapsedMs >= boundMs - VALID, `${VALID} replays at ${ratePerSecond}/s took ${elapsedMs.toFixed(1)} ms, less than ${boundMs} ms`);
      } finally {
        await runtime.close();
      }
      assert.equal(await messages(config.nats.deadLetter.name), BROKEN + 1);
    });
  });
});
