import type { InvokedStage, LastAnswer } from './measuredInvoker.ts';

/** One readiness check: passed, or failed with what an operator should look at. */
type Check = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** What `/readyz` answers: ready only when every check passed; the body names the failed ones. */
type ReadinessReport = {
  readonly ready: boolean;
  readonly checks: {
    readonly nats: Check;
    readonly consumer: Check;
    readonly stages: Readonly<Record<InvokedStage, Check>>;
  };
};

const PASSED: Check = { ok: true };

/**
 * Whether a stage answers: its last invoke, when that is recent (within `freshMs`), says so;
 * otherwise the probe's answer does. A stage the bridge has not called for a while (an idle
 * plane) is probed rather than trusted from an old answer, and a failed invoke is probed again
 * rather than held against the stage until the next batch.
 */
function answeredRecently(last: LastAnswer | undefined, nowMs: number, freshMs: number): boolean {
  return last?.ok === true && nowMs - last.atMs < freshMs;
}

/** A check from a probe's promise: passed when it resolves, failed with its error's message when it rejects. */
async function checkOf(probe: Promise<unknown>): Promise<Check> {
  try {
    await probe;
    return PASSED;
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function readinessReport(checks: ReadinessReport['checks']): ReadinessReport {
  const ready = checks.nats.ok && checks.consumer.ok && Object.values(checks.stages).every((check) => check.ok);
  return { ready, checks };
}

/** Before the bridge has connected and found its consumer: not ready, and saying why. */
function startingReport(): ReadinessReport {
  const starting: Check = { ok: false, detail: 'the bridge is starting' };
  return readinessReport({ nats: starting, consumer: starting, stages: { validate: starting, route: starting, 'sink-write': starting } });
}

export { answeredRecently, checkOf, PASSED, readinessReport, startingReport };
export type { Check, ReadinessReport };
