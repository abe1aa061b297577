import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../cli/paths.ts';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts/xregistryRoundTrip.ts');

type Outcome = { code: number; stdout: string; stderr: string };

// The fixtures' routes live under fixture.> (dead letters under fixturedlq.>): the streams the
// script checks routes against, as an import does.
const ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...(process.env.DATABASE_URL === undefined ? {} : { DATABASE_URL: process.env.DATABASE_URL }),
  INGEST_SUBJECTS: 'fixture.>',
  DEADLETTER_SUBJECTS: 'fixturedlq.>',
  DEADLETTER_DEFAULT_SUBJECT: 'fixturedlq.unrouted',
};

function roundTrip(args: readonly string[]): Promise<Outcome> {
  return run(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, env: ENV, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Error & { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

describe('scripts/xregistryRoundTrip.ts (the check for documents that cannot be committed)', () => {
  test('a committed fixture imports into a scratch database on the real PostgreSQL and exports unchanged', async () => {
    const outcome = await roundTrip([join(ROOT, 'test/fixtures/xregistry/catalogue.xreg.json'), join(ROOT, 'test/fixtures/xregistry/routed.xreg.json')]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /^catalogue\.xreg\.json\timported, exported unchanged \(messages: 0 routed, \d+ catalogue\)$/m);
    assert.match(outcome.stdout, /^routed\.xreg\.json\timported, exported unchanged \(messages: [1-9]\d* routed, \d+ catalogue\)$/m);
  });

  test('--help prints the usage; no file or an unknown option is exit 2 with the usage; a missing file is exit 1 naming it', async () => {
    const help = await roundTrip(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npx tsx scripts\/xregistryRoundTrip\.ts/);
    const none = await roundTrip([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^usage:/);
    const unknown = await roundTrip(['--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option --bogus/);
    const missing = await roundTrip([join(ROOT, 'test/fixtures/xregistry/absent.xreg.json')]);
    assert.equal(missing.code, 1);
    assert.match(`${missing.stdout}${missing.stderr}`, /absent\.xreg\.json.*(ENOENT|no such file)/);
  });
});
