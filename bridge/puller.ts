import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../shared/logging/index.ts';

type Puller = {
  start(): void;
  /** Ends the current pull; messages that still arrive are handed to `onMessage` as usual. */
  stop(): Promise<void>;
  /** Call when held messages were settled: a pull waiting for room may go on. */
  roomFreed(): void;
};

type PullerOptions = {
  readonly consumer: Consumer;
  /** The most messages this replica holds at once (received, not yet settled). */
  readonly maxHeld: number;
  /** Messages held now. */
  readonly held: () => number;
  /** Fewer free places than this and the puller waits, so each pull asks for a useful amount. */
  readonly minPull: number;
  readonly expiresMs: number;
  readonly onMessage: (msg: JsMsg) => void;
  readonly logger: Logger;
};

/**
 * Pulls only what this replica has room for: each fetch asks for the free places below `maxHeld`,
 * and the next one waits until settled messages free some. `consume()` re-pulls as soon as
 * messages arrive, whether or not they can be worked on, so a replica would hold up to the whole
 * consumer's `max_ack_pending`; bounding it here keeps the bridge's memory flat and leaves the
 * rest of the backlog to the other replicas.
 */
function createPuller(options: PullerOptions): Puller {
  let stopped = false;
  let current: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  const pause = new AbortController();

  async function run(): Promise<void> {
    while (!stopped) {
      const room = options.maxHeld - options.held();
      if (room < options.minPull) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      try {
        current = await options.consumer.fetch({ max_messages: room, expires: options.expiresMs });
        for await (const msg of current) options.onMessage(msg);
      } catch (error) {
        if (stopped) break;
        options.logger.warn('pull failed; pulling again in 1 s', { error });
        await sleep(1000, undefined, { signal: pause.signal }).catch(() => {});
      } finally {
        current = undefined;
      }
    }
  }

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      stopped = true;
      pause.abort();
      wake?.();
      await current?.close();
      await loop;
    },
    roomFreed() {
      wake?.();
    },
  };
}

export { createPuller };
export type { Puller };
