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
    assert.ok(files.some((name) => name.endsWith('.svg')), 'no SVG written');
    const results = JSON.parse(readFileSync(join(out, json), 'utf8')) as BenchResults;
    assert.deepEqual(results.problems, []);
    for (const phase of [results.drain, results.inprocess, results.paced]) {
      assert.ok(phase, 'a chain phase is missing');
      assert.equal(phase.verification.ok, true);
      assert.equal(phase.verification.rows, phase.verification.expected);
    }
    assert.ok(results.drain!.perSecond > 0);
    assert.ok(results.paced!.latencyMs.p99 >= results.paced!.latencyMs.p50);
    assert.deepEqual(results.ceilings?.ceilings.map((c) => c.name).slice(0, 3), ['consume', 'decode', 'insert']);
    assert.ok((results.functions?.coldStarts.length ?? 0) >= 3);
    assert.match(stdout, /drain, real chain/);
    assert.match(readFileSync(join(out, files.find((name) => name.endsWith('.svg'))!), 'utf8'), /^<svg /);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
