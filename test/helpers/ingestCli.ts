import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ROOT } from '../../cli/paths.ts';

/** What a CLI run left behind: its exit code and everything it printed. */
type CliResult = { code: number | null; stdout: string; stderr: string };

const INGEST_BIN = join(ROOT, 'bin/ingest.mjs');

/** A child's exit code and everything it printed. */
function outcomeOf(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the real `ingest` binary with exactly `env` (plus PATH and HOME), as an operator's shell would. */
function runIngest(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return outcomeOf(
    spawn(process.execPath, [INGEST_BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

export { INGEST_BIN, outcomeOf, runIngest };
export type { CliResult };
