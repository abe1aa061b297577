import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { CountingInstrument } from './tally.ts';
import type { BridgeConfig } from '../shared/config/index.ts';
import type { Logger } from '../shared/logging/index.ts';
import { Batcher } from './batcher.ts';
import { requestBytes } from './messageViews.ts';
import { createPuller } from './puller.ts';

// Short enough that a replica notices a deleted consumer or a moved server soon; a pull that
// ends empty is simply issued again.
const PULL_EXPIRES_MS = 5000;

type IntakeOptions = {
  readonly consumer: Consumer;
  readonly config: Pick<BridgeConfig, 'batch' | 'maxHeld'>;
  /** Each batch the batcher closes. */
  readonly onBatch: (batch: JsMsg[]) => void;
  readonly logger: Logger;
  /** The messages-held metric: up for each message pulled, down for each settled or returned. */
  readonly held?: CountingInstrument;
};

type Intake = {
  start(): void;
  /** Ends the pull and hands on what the batcher holds; a message that still arrives is returned (nak). */
  stop(): Promise<void>;
  /** Call when `count` messages were settled (or returned): a pull waiting for room may go on. */
  released(count: number): void;
};

/**
 * Where messages enter the bridge: the puller (puller.ts) pulls only while this replica holds
 * fewer than `maxHeld`, and the batcher (batcher.ts) groups what arrives into batches.
 */
function createIntake(options: IntakeOptions): Intake {
  const { config } = options;
  // Messages received and not yet settled: in the batcher, queued or in flight.
  let received = 0;
  let released = 0;
  let stopping = false;
  const batcher = new Batcher<JsMsg>(config.batch, options.onBatch);
  const puller = createPuller({
    consumer: options.consumer,
    maxHeld: config.maxHeld,
    held: () => received - released,
    minPull: Math.min(config.batch.maxRecords, config.maxHeld),
    expiresMs: PULL_EXPIRES_MS,
    onMessage: (msg) => {
      if (stopping) {
        msg.nak();
        return;
      }
      received++;
      options.held?.add(1);
      batcher.add(msg, requestBytes(msg));
    },
    logger: options.logger,
  });

  return {
    start() {
      puller.start();
    },
    async stop() {
      stopping = true;
      await puller.stop();
      batcher.flush();
    },
    released(count) {
      released += count;
      options.held?.add(-count);
      puller.roomFreed();
    },
  };
}

export { createIntake };
export type { Intake };
