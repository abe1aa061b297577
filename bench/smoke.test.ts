// A smoke run of the benchmark (`npm run bench:smoke`): every phase on a few thousand events, to
// show the bench itself works and its checks pass. Not part of `npm test`: benchmarks are not
// timed tests, and a full run takes minutes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DrainResult } from './drain.ts';
import type { PacedRun } from './paced.ts';
import type { BenchResults } from './results.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function runBench(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

test('npm run bench -- --quick runs every phase, verifies it and writes JSON and SVG', { timeout: 600_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'ingest-bench-smoke-'));
  try {
    const { code, stdout, stderr } = await runBench(['--quick', '--out', out]);
    assert.equal(code, 0, `bench exited ${code}\n${stdout}\n${stderr}`);
    const files = readdirSync(out);
    const json = files.find((name) => name.endsWith('.json'));
    assert.ok(json, `no JSON in ${out}: ${files.join(', ')}`);
    assert.ok(
      files.some((name) => name.endsWith('.svg')),
      'no SVG written',
    );
    const results = JSON.parse(readFileSync(join(out, json), 'utf8')) as BenchResults;
    assert.deepEqual(results.problems, []);
    assert.deepEqual(results.errors, {});
    const { events, rate, duration } = results.options;

    // Every event published was delivered once: a row each, nothing dead-lettered, none dropped as a
    // repeat, nothing more. (verification.expected is what the phase published.)
    const delivered = (name: string, phase: DrainResult | PacedRun | undefined, published: number): void => {
      assert.ok(phase !== undefined, `the ${name} phase is missing`);
      assert.deepEqual(
        { ...phase.verification, redeliveries: undefined },
        {
          expected: published,
          rows: published,
          duplicateEventIds: 0,
          deadLetters: 0,
          streamMessages: published,
          redeliveries: undefined,
          ok: true,
          problems: [],
        },
        name,
      );
    };
    delivered('drain', results.drain, events);
    delivered('inprocess', results.inprocess, events);
    assert.deepEqual([results.drain!.kind, results.inprocess!.kind], ['lambda', 'in-process']);
    for (const drain of [results.drain!, results.inprocess!]) {
      // The figures are the same run seen three ways: start-up plus the steady part is the whole.
      assert.equal(drain.events, events);
      assert.ok(drain.startupSeconds >= 0 && drain.secondsFromFirstCommit > 0, JSON.stringify(drain));
      assert.ok(Math.abs(drain.startupSeconds + drain.secondsFromFirstCommit - drain.secondsWithStartup) < 1e-6, JSON.stringify(drain));
      assert.equal(drain.perSecond, events / drain.secondsFromFirstCommit);
      assert.equal(drain.perSecondWithStartup, events / drain.secondsWithStartup);
    }

    // Paced: the warm-up and the paced window were all delivered; the per-second rows cover exactly
    // the paced window's events; the latency figures are measured values in their order.
    const paced = results.paced!;
    assert.deepEqual([paced.rate, paced.duration], [rate, duration]);
    assert.ok(paced.events > 0 && paced.verification.expected > paced.events, JSON.stringify(paced.verification));
    delivered('paced', paced, paced.verification.expected);
    assert.equal(
      paced.perSecond.reduce((sum, second) => sum + second.events, 0),
      paced.events,
      'per-second rows add up to the paced events',
    );
    const { p50, p90, p99, max, mean } = paced.latencyMs;
    assert.ok([p50, p90, p99, max, mean].every(Number.isFinite), JSON.stringify(paced.latencyMs));
    assert.ok(p50 >= 0 && p50 <= p90 && p90 <= p99 && p99 <= max && mean <= max, JSON.stringify(paced.latencyMs));
    // The publisher ran in its own process: it reports what it sent and its CPU is counted apart
    // from the chain's (how fast it was is the benchmark's business, not this test's).
    const { publisher } = paced;
    assert.equal(publisher.published, paced.events);
    assert.equal(publisher.duplicates, 0);
    assert.equal(publisher.window, results.options.publishWindow);
    assert.equal(publisher.achievedPerSecond, publisher.published / publisher.sendSeconds);
    assert.ok(publisher.lagMs.p50 <= publisher.lagMs.p99 && publisher.lagMs.p99 <= publisher.lagMs.max, JSON.stringify(publisher.lagMs));
    assert.ok(Number.isFinite(paced.cpu.usPerEventBy.publisher) && Number.isFinite(paced.committedPerSecond), JSON.stringify(paced.cpu));

    // Ceilings and cold starts: each measured what it names, with nothing lost.
    assert.equal(results.ceilings?.verified, true, JSON.stringify(results.ceilings?.problems));
    assert.deepEqual(results.ceilings?.ceilings.map((c) => c.name).slice(0, 3), ['consume', 'decode', 'insert']);
    for (const ceiling of results.ceilings!.ceilings) {
      assert.ok(ceiling.events > 0 && ceiling.seconds > 0, `${ceiling.name}: ${JSON.stringify(ceiling)}`);
      assert.equal(ceiling.perSecond, ceiling.events / ceiling.seconds, ceiling.name);
    }
    assert.deepEqual(results.functions?.problems, []);
    assert.ok((results.functions?.coldStarts.length ?? 0) >= 3);
    for (const cold of results.functions!.coldStarts) {
      const figures = [cold.nodeBootMs, cold.importMs, cold.firstInvokeMs, cold.coldMs, cold.warmInvokeMs, cold.batchInvokeMs];
      assert.ok(cold.runs > 0 && figures.every((ms) => Number.isFinite(ms) && ms > 0), `${cold.name}: ${JSON.stringify(cold)}`);
    }
    // Cost: one request per invoke, invokes per batch (validate, route, sink-write per target).
    const lambda = results.cost?.lambda;
    assert.ok(lambda !== undefined, 'no Lambda cost');
    assert.deepEqual(
      lambda.functions.map((f) => f.name),
      ['validate', 'route', 'sink-write'],
    );
    assert.equal(lambda.requestsPerMillion, (1e6 / lambda.batchRecords) * (2 + lambda.targets));
    for (const f of lambda.functions) assert.ok(f.memoryMb > 0 && f.billedMs >= f.durationMs && f.gbSecondsPerMillion > 0, JSON.stringify(f));
    assert.deepEqual(
      results.cost?.bridge.map((b) => b.from),
      ['drain, real chain', 'paced'],
    );
    assert.match(stdout, /Lambda cost per 1M events/);
    assert.match(stdout, /bridge replicas per 10,000 events\/s/);
    assert.match(stdout, /drain, real chain/);
    assert.match(readFileSync(join(out, files.find((name) => name.endsWith('.svg'))!), 'utf8'), /^<svg /);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
