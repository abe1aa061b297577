import type { BridgeExitStep } from '../shared/config/index.ts';
import type { DeadLetterWriter } from '../shared/deadletters/index.ts';
import type { LogFields, Logger } from '../shared/logging/index.ts';
import { InjectedFaultError } from '../shared/middleware/index.ts';
import type { StageInvoker } from './invoker.ts';

// The bridge's test-only fault points (BridgeConfig.faults), kept apart from the code they break
// into. Every one is off unless its variable is set, and logs an `injected fault` line when it fires.

/**
 * FAULT_BRIDGE_EXIT_AT: the process dies here at once, as a crash would: nothing is drained,
 * settled or handed back, and the consumer redelivers what it held after ack_wait.
 */
function exitNow(logger: Logger, step: BridgeExitStep, fields: LogFields): void {
  logger.error('injected fault: the bridge kills itself (FAULT_BRIDGE_EXIT_AT)', { step, ...fields });
  process.kill(process.pid, 'SIGKILL');
}

/** The invoker, with the process dying before its first sink-write call (FAULT_BRIDGE_EXIT_AT=before-sink-write). */
function exitingBeforeSinkWrite(invoker: StageInvoker, logger: Logger): StageInvoker {
  return {
    validate: (request) => invoker.validate(request),
    route: (request) => invoker.route(request),
    sinkWrite: (request) => {
      exitNow(logger, 'before-sink-write', { sink: request.target.kind, records: request.records.length });
      return invoker.sinkWrite(request);
    },
    checkDelivery: (request) => invoker.checkDelivery(request),
  };
}

/**
 * FAULT_DEAD_LETTER_PUBLISH_FAILURES: the writer with its first `failures` publishes failing before
 * they reach the stream, as when the dead-letter stream cannot be reached.
 */
function failingFirstPublishes(writer: DeadLetterWriter, failures: number, logger: Logger): DeadLetterWriter {
  let left = failures;
  return {
    async publish(subject, letter, options) {
      if (left === 0) return writer.publish(subject, letter, options);
      left--;
      logger.error('injected fault: dead-letter publish fails (FAULT_DEAD_LETTER_PUBLISH_FAILURES)', { letterId: letter.id, subject, failuresLeft: left });
      throw new InjectedFaultError(`bridge, dead letter ${letter.id}`, 'FAULT_DEAD_LETTER_PUBLISH_FAILURES');
    },
  };
}

export { exitingBeforeSinkWrite, exitNow, failingFirstPublishes };
