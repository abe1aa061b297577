import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { ROOT } from '../../cli/paths.ts';
import { loadBridgeConfig, loadCliConfig } from '../../shared/config/index.ts';
import { advisoryTopology, connectNats } from '../../shared/nats/index.ts';
import { runStreamsEnv, uniqueRunId } from '../helpers/names.ts';

type LogLine = Record<string, unknown> & { level: string; msg: string };

function parseLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('the bridge at start, against the real NATS', () => {
  const runId = uniqueRunId();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NATS_URL: loadCliConfig().nats.url,
    ...runStreamsEnv(runId),
    // LAMBDA_ENDPOINT unset: the bridge would call AWS Lambda itself (nothing is published, so it never does).
    AWS_REGION: 'eu-west-1',
    FUNCTION_PREFIX: `ingest-${runId}-`,
    BRIDGE_STATS_INTERVAL_MS: '0',
    BRIDGE_HTTP_PORT: '0',
    BATCH_MAX_RECORD: '5',
  };

  after(async () => {
    const config = loadBridgeConfig(env);
    const nc = await connectNats(config.nats.url, 'bridge-start-test-cleanup', config.nats.security);
    try {
      const jsm = await jetstreamManager(nc);
      for (const stream of [config.nats.ingest.name, config.nats.deadLetter.name, advisoryTopology(config.nats).stream]) {
        await jsm.streams.delete(stream).catch(() => false);
      }
    } finally {
      await nc.close();
    }
  });

  test('warns about BATCH_MAX_RECORD, naming BATCH_MAX_RECORDS, and says which Lambda region and functions it will invoke', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bridge/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const consuming = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bridge did not start consuming in time:\n${stdout}\n${stderr}`)), 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"msg":"bridge consuming"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`the bridge exited with ${code}:\n${stdout}\n${stderr}`)));
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await consuming;
    } finally {
      // Its SIGTERM handler may not be installed yet (it comes after the advisory watcher starts),
      // so how it exits is not this test's subject; only that it is gone before cleanup.
      child.kill('SIGTERM');
      await exited;
    }

    const warnings = parseLines(stderr).filter((line) => line.level === 'warn' && line.variable !== undefined);
    assert.deepEqual(
      warnings.map((line) => [line.variable, line.closest]),
      [['BATCH_MAX_RECORD', 'BATCH_MAX_RECORDS']],
    );
    assert.match(warnings[0]!.msg, /BATCH_MAX_RECORD .*did you mean BATCH_MAX_RECORDS\?/);

    const lines = parseLines(stdout);
    const starting = lines.find((line) => line.msg === 'bridge starting');
    assert.ok(starting !== undefined, stdout);
    assert.equal(starting.lambda, 'AWS Lambda in eu-west-1');
    assert.equal(starting.region, 'eu-west-1');
    assert.equal(starting.transport, 'AWS SDK');
    assert.deepEqual(starting.functions, [`ingest-${runId}-validate`, `ingest-${runId}-route`, `ingest-${runId}-sink-write`]);
    assert.equal(starting.stream, env.INGEST_STREAM);
    assert.equal(starting.consumer, env.INGEST_CONSUMER);
    // The line comes first: a bridge that hangs on NATS has already said what it would invoke.
    assert.equal(lines[0]?.msg, 'bridge starting');
    // The misspelt variable really was ignored: the default batch size is in force.
    assert.equal((lines.find((line) => line.msg === 'bridge consuming')?.batch as { maxRecords?: number } | undefined)?.maxRecords, 500);
  });
});
