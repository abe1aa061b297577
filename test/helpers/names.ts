import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A short lower-case id that keeps this run's streams, subjects and database apart from any other. */
function uniqueRunId(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * The streams, subjects, consumer and figures bucket of one test run, as the plane's variables name them: every
 * run gets its own, so runs never see each other's messages.
 */
function runStreamsEnv(runId: string): Record<string, string> {
  return {
    INGEST_STREAM: `INGEST_${runId}`,
    INGEST_SUBJECTS: `${runId}.>`,
    DEADLETTER_STREAM: `DLQ_${runId}`,
    DEADLETTER_SUBJECTS: `${runId}dlq.>`,
    DEADLETTER_DEFAULT_SUBJECT: `${runId}dlq.unrouted`,
    INGEST_CONSUMER: `bridge_${runId}`,
    FIGURES_BUCKET: `FIGURES_${runId}`,
    // Off: a test that wants a bridge's figures turns them on (and deletes KV_<FIGURES_BUCKET> after).
    BRIDGE_FIGURES_INTERVAL_MS: '0',
  };
}

/** A port the OS says is free now (it may hand the same one to another process a moment later). */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Test files run side by side, and each takes a port some seconds before its server listens on
// it: in that window the OS can give the same free port to another file (CI saw two
// serverless-offlines collide). A port is therefore claimed in a folder all test processes share
// (one file per port, created exclusively); a claim older than CLAIM_TTL_MS is stale, since no
// test holds a port that long without listening on it.
const CLAIMS = join(tmpdir(), 'ingest-test-port-claims');
const CLAIM_TTL_MS = 10 * 60_000;

function claim(port: number): boolean {
  const file = join(CLAIMS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (Date.now() - statSync(file).mtimeMs < CLAIM_TTL_MS) return false;
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  }
}

/** Drops stale claims, so the folder does not grow without bound. */
function pruneClaims(): void {
  for (const name of readdirSync(CLAIMS)) {
    const file = join(CLAIMS, name);
    try {
      if (Date.now() - statSync(file).mtimeMs >= CLAIM_TTL_MS) rmSync(file, { force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

/** A TCP port that is free now and that no other test process was given in the last minutes. */
async function freePort(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true });
  if (Math.random() < 0.05) pruneClaims();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await unusedPort();
    if (claim(port)) return port;
  }
  throw new Error(`no free port that another test has not claimed in ${CLAIMS}`);
}

async function waitFor<T>(describe: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    // A probe may fail while a server it asks is restarting; that is "not yet", not a failure.
    try {
      last = { value: await probe() };
      if (done(last.value)) return last.value;
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen = 'value' in last ? JSON.stringify(last.value) : `error ${String((last.error as Error).message ?? last.error)}`;
      throw new Error(`timed out waiting for ${describe}; last: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export { freePort, runStreamsEnv, uniqueRunId, waitFor };
