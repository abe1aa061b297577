import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

/** A short lower-case id that keeps this run's streams, subjects and database apart from any other. */
function uniqueRunId(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * The streams, subjects and consumer of one test run, as the plane's variables name them: every
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
  };
}

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
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
