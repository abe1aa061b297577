import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { RouteRecord } from '../shared/routes/index.ts';
import { ROOT } from './children.ts';
import type { PacedPublish, PublisherReply, PublisherRequest } from './publisherMessages.ts';

type PublisherChild = {
  readonly pid: number | undefined;
  /** Encodes `rate × seconds` events ahead; resolves when they are ready to send. */
  prepare(route: RouteRecord, rate: number, seconds: number): Promise<void>;
  /** Publishes the prepared events on schedule; resolves when every one is acknowledged. */
  go(): Promise<PacedPublish>;
  close(): Promise<void>;
};

/**
 * Starts bench/publisherProcess.ts under tsx with the plane's environment (its NATS settings),
 * and waits until it is connected. One request is answered at a time.
 */
async function startPublisherChild(env: Readonly<Record<string, string>>, window: number): Promise<PublisherChild> {
  const child: ChildProcess = fork(join(ROOT, 'bench/publisherProcess.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let waiting: { resolve: (reply: PublisherReply) => void; reject: (error: Error) => void } | undefined;
  const exited = (): Error => new Error(`the publisher exited (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
  child.on('message', (reply: PublisherReply) => {
    const current = waiting;
    waiting = undefined;
    if (reply.kind === 'failed') current?.reject(new Error(`publisher: ${reply.message}`));
    else current?.resolve(reply);
  });
  child.on('exit', () => waiting?.reject(exited()));
  const next = (request?: PublisherRequest): Promise<PublisherReply> =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(exited());
        return;
      }
      waiting = { resolve, reject };
      if (request !== undefined) child.send(request);
    });
  const expect = async <K extends PublisherReply['kind']>(kind: K, request?: PublisherRequest): Promise<Extract<PublisherReply, { kind: K }>> => {
    const reply = await next(request);
    if (reply.kind !== kind) throw new Error(`publisher answered ${reply.kind}, expected ${kind}`);
    return reply as Extract<PublisherReply, { kind: K }>;
  };

  await expect('ready');
  return {
    pid: child.pid,
    async prepare(route, rate, seconds) {
      await expect('prepared', { kind: 'prepare', route, rate, seconds, window });
    },
    async go() {
      return (await expect('done', { kind: 'go' })).result;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      // Closing the channel lets it exit by itself (and write a CPU profile, if asked for one).
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export { startPublisherChild };
export type { PublisherChild };
