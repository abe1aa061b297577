import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { COMMANDS } from '../../cli/commandTable.ts';
import { EXAMPLE_REGISTRY, ROOT } from '../../cli/paths.ts';
import { DecoderCache } from '../../shared/stages/validate/decoders.ts';
import { runValidate } from '../../shared/stages/validate/validate.ts';
import { loadCliConfig } from '../../shared/config/index.ts';
import { connectNats, type NatsConnection } from '../../shared/nats/index.ts';
import { createSql } from '../../shared/postgres/index.ts';
import { createRouteLookup } from '../../shared/routes/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { INGEST_BIN as BIN, outcomeOf, runIngest } from '../helpers/ingestCli.ts';
import { freePort, runStreamsEnv, uniqueRunId } from '../helpers/names.ts';

const WIRE_FORMATS = ['raw', 'schema-id', 'confluent', 'single-object'] as const;

/** The example registry with one route per wire format, on this run's subjects and tables. */
async function registryDocument(runId: string): Promise<unknown> {
  const document = JSON.parse(await readFile(EXAMPLE_REGISTRY, 'utf8')) as {
    messagegroups: Record<
      string,
      { messages: Record<string, Record<string, unknown> & { ingestion: Record<string, unknown>; protocoloptions: Record<string, unknown> }> }
    >;
  };
  const group = Object.values(document.messagegroups)[0]!;
  const template = Object.values(group.messages)[0]!;
  group.messages = {};
  for (const format of WIRE_FORMATS) {
    const type = format.replace('-', '');
    const subject = `${runId}.${type}.usage.v1`;
    group.messages[subject] = {
      ...template,
      protocoloptions: { subject },
      ingestion: {
        ...template.ingestion,
        sink: { kind: 'postgres', table: `events_${type}` },
        deadlettersubject: `${runId}dlq.${type}.usage.v1`,
        wireformat: format,
      },
    };
  }
  return document;
}

describe('the ingest CLI, run as a child process', () => {
  const runId = uniqueRunId();
  let env: Record<string, string>;
  let dir: string;
  let dropDatabase: () => Promise<void>;
  let nc: NatsConnection;

  before(async () => {
    const database = await createTestDatabase(`ingest_${runId}`);
    dropDatabase = database.drop;
    dir = await mkdtemp(join(tmpdir(), 'ingest-cli-'));
    const base = loadCliConfig();
    env = {
      DATABASE_URL: database.url,
      NATS_URL: base.nats.url,
      ...runStreamsEnv(runId),
    };
    nc = await connectNats(base.nats.url, 'cli-test', base.nats.security);
    const file = join(dir, 'routes.xreg.json');
    await writeFile(file, JSON.stringify(await registryDocument(runId)));
    const imported = await runIngest(['registry', 'import', file], env);
    assert.equal(imported.code, 0, imported.stderr);
    const setup = await runIngest(['nats', 'setup'], env);
    assert.equal(setup.code, 0, setup.stderr);
  });

  after(async () => {
    const jsm = await jetstreamManager(nc);
    for (const stream of [env.INGEST_STREAM!, env.DEADLETTER_STREAM!, `${env.INGEST_STREAM!}_ADVISORIES`]) await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
    await dropDatabase();
    await rm(dir, { recursive: true, force: true });
  });

  describe('help and version', () => {
    test('--version prints the package version', async () => {
      const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const result = await runIngest(['--version'], {});
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `ingest ${version}\n`);
    });

    test('every command answers --help with its own usage, exit 0, without touching a service', async () => {
      // An unreachable database and NATS: help must not need them.
      const offline = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x', NATS_URL: 'nats://127.0.0.1:1' };
      for (const spec of COMMANDS) {
        const result = await runIngest([...spec.name.split(' '), '--help'], offline);
        assert.equal(result.code, 0, `${spec.name} --help: ${result.stderr}`);
        assert.ok(result.stdout.startsWith(`usage: ingest ${spec.name}`), `${spec.name} --help:\n${result.stdout}`);
        assert.match(result.stdout, /exit codes:\n {2}0 {2}done\n {2}1 {2}failed.*\n {2}2 {2}usage error/);
      }
    });

    test('ingest help, ingest help <command>, ingest help <group> and ingest <group> --help', async () => {
      const all = await runIngest(['help'], {});
      assert.equal(all.code, 0);
      for (const spec of COMMANDS) assert.ok(all.stdout.includes(`  ${spec.name}`), spec.name);
      assert.match(all.stdout, /exit codes:/);
      const one = await runIngest(['help', 'registry', 'list'], {});
      assert.equal(one.code, 0);
      assert.ok(one.stdout.startsWith('usage: ingest registry list [--json]'));
      for (const args of [
        ['help', 'dlq'],
        ['dlq', '--help'],
      ]) {
        const group = await runIngest(args, {});
        assert.equal(group.code, 0);
        assert.ok(group.stdout.startsWith('usage: ingest dlq <subcommand>'));
        assert.match(group.stdout, /dlq show <id>/);
      }
    });
  });

  describe('usage errors exit 2 and say what is wrong', () => {
    const cases: [string[], RegExp][] = [
      [['bogus'], /unknown command "bogus"/],
      [['registry'], /"ingest registry" needs a subcommand/],
      [['registry', 'bogus'], /unknown command "ingest registry bogus"/],
      [['help', 'bogus'], /no command "ingest bogus"/],
      [['registry', 'list', '--nope'], /Unknown option '--nope'\nusage: ingest registry list \[--json\]/],
      [['registry', 'get'], /missing <path>\nusage: ingest registry get <path>/],
      [['registry', 'list', 'extra'], /unexpected argument "extra"/],
      [['publish', 'x.v1', '--count', 'abc'], /--count must be a positive integer, got "abc"/],
      [['publish', 'x.v1', '--broken', 'nope'], /--broken must be one of random-bytes, .*got "nope"/],
      [['publish', 'x.v1', '--cloudevents', 'nope'], /--cloudevents must be one of binary, structured, got "nope"/],
      [['publish', 'x.v1', '--cloudevents', 'binary', '--broken', 'truncated'], /--cloudevents publishes valid events only; leave out --broken/],
      [['registry', 'check-compat', '/schemagroups/a/schemas/b', 'f.avsc', '--mode', 'sideways'], /--mode must be one of none, backward/],
      [['dlq', 'list', '--since', 'yesterday'], /--since must be an ISO-8601 time/],
    ];
    for (const [args, message] of cases) {
      test(`ingest ${args.join(' ')}`, async () => {
        const result = await runIngest(args, env);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, '');
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      });
    }
  });

  test('a misspelt variable is named on stderr with the closest known one, and the command still runs', async () => {
    const result = await runIngest(['registry', 'list'], { ...env, BATCH_MAX_RECORD: '5' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, 'ingest: warning: BATCH_MAX_RECORD is not a variable this plane reads (ignored); did you mean BATCH_MAX_RECORDS?\n');
  });

  test('registry list prints a line per route, and --json the same routes as JSON', async () => {
    const text = await runIngest(['registry', 'list'], env);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.equal(lines[0], 'message\tplane\tsubject\tdataschemaxid\tsink\tdeadlettersubject\twireformat\treason');
    assert.ok(
      lines.slice(1).every((line) => line.split('\t')[1] === 'routed'),
      text.stdout,
    );
    assert.equal(lines.length, 1 + WIRE_FORMATS.length);

    const json = await runIngest(['registry', 'list', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const routes = JSON.parse(json.stdout) as { subject: string; sinks: unknown[]; wireformat: string; deadlettersubject: string; dataschemaxid: string }[];
    assert.deepEqual(
      routes.map((route) => [route.subject, route.wireformat]).sort(),
      WIRE_FORMATS.map((format) => [`${runId}.${format.replace('-', '')}.usage.v1`, format]).sort(),
    );
    const raw = routes.find((route) => route.wireformat === 'raw')!;
    assert.deepEqual(raw.sinks, [{ kind: 'postgres', table: 'events_raw' }]);
    assert.equal(raw.dataschemaxid, '/schemagroups/metrics/schemas/cpu-usage');
  });

  test('ingest registry list with its output pipe closed early exits 0 and prints nothing on stderr', async () => {
    const child = spawn(process.execPath, [BIN, 'registry', 'list'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reading end goes away before the CLI writes its first line, as `| head -1` does after one.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  test('`ingest registry export | head -1` in a shell: one line, exit 0, quiet', async () => {
    const shell = `"${process.execPath}" "${BIN}" registry export | head -1; echo "status \${PIPESTATUS[0]}" >&2`;
    const result = await outcomeOf(
      spawn('bash', ['-c', shell], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    assert.equal(result.stdout, '{\n');
    assert.equal(result.stderr, 'status 0\n');
  });

  describe('database errors name DATABASE_URL with its password masked', () => {
    const password = 'pa55-w0rd-s3cret';
    const cases: [string, () => Promise<string>, RegExp][] = [
      [
        'a port nothing listens on',
        async () => `postgres://ingest:${password}@127.0.0.1:${await freePort()}/x`,
        /refused the connection \(is PostgreSQL running there\?\)/,
      ],
      ['a host that does not resolve', async () => `postgres://ingest:${password}@no-such-host.invalid:5432/x`, /has a host name that does not resolve/],
      [
        'a role the server does not know',
        async () => `postgres://no_such_role_${runId}:${password}@127.0.0.1:5432/x`,
        /refused the login: role "no_such_role_/,
      ],
      ['a database that does not exist', async () => `postgres://postgres:${password}@127.0.0.1:5432/no_such_db_${runId}`, /has no such database/],
    ];
    for (const [what, url, reason] of cases) {
      test(what, async () => {
        const databaseUrl = await url();
        const result = await runIngest(['registry', 'list'], { ...env, DATABASE_URL: databaseUrl });
        assert.equal(result.code, 1);
        const expected = databaseUrl.replace(password, '***');
        assert.ok(result.stderr.startsWith(`ingest: the database at DATABASE_URL=${expected} `), result.stderr);
        assert.match(result.stderr, reason);
        assert.ok(!result.stderr.includes(password), 'the password is never printed');
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      });
    }
  });

  describe('publish --broken unknown-schema-id', () => {
    test('is refused on a raw route, naming its wire format and the kinds that apply; nothing is published', async () => {
      const subject = `${runId}.raw.usage.v1`;
      const jsm = await jetstreamManager(nc);
      const before = (await jsm.streams.info(env.INGEST_STREAM!)).state.messages;
      const result = await runIngest(['publish', subject, '--broken', 'unknown-schema-id'], env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`needs a framed wire format \\(schema-id, confluent or single-object\\); ${subject.replaceAll('.', '\\.')} uses "raw"`),
      );
      assert.match(result.stderr, /On this route use random-bytes, truncated, unknown-route, bad-subject/);
      assert.equal((await jsm.streams.info(env.INGEST_STREAM!)).state.messages, before);
    });

    for (const format of WIRE_FORMATS.filter((wire) => wire !== 'raw')) {
      test(`on a ${format} route publishes what validate dead-letters as unknown_schema_id`, async () => {
        const subject = `${runId}.${format.replace('-', '')}.usage.v1`;
        const jsm = await jetstreamManager(nc);
        const lastBefore = (await jsm.streams.info(env.INGEST_STREAM!)).state.last_seq;
        const result = await runIngest(['publish', subject, '--broken', 'unknown-schema-id', '--count', '2'], env);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /published 2 unknown-schema-id event\(s\)/);

        const sql = createSql(env.DATABASE_URL!, { max: 1, applicationName: 'ingest-cli-test' });
        try {
          const records = [];
          for (let seq = lastBefore + 1; seq <= lastBefore + 2; seq++) {
            const stored = await jsm.streams.getMessage(env.INGEST_STREAM!, { seq });
            assert.ok(stored !== null && stored.subject === subject);
            records.push({ id: String(seq), subject, payload: Buffer.from(stored.data).toString('base64'), publishedAtMs: Date.now() });
          }
          const { results } = await runValidate({ records }, { routes: createRouteLookup(sql, { ttlMs: 0, negativeTtlMs: 0 }), decoders: new DecoderCache() });
          for (const outcome of results) {
            assert.equal(outcome.ok, false);
            assert.equal(outcome.ok === false ? outcome.failure.reason : undefined, 'unknown_schema_id');
          }
        } finally {
          await sql.end({ timeout: 5 });
        }
      });
    }
  });
});
