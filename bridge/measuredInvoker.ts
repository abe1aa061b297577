import { Stage } from '../shared/failures/index.ts';
import type { BridgeInstruments } from './metrics.ts';
import type { StageInvoker } from './stageInvoker.ts';

/** The stages the bridge invokes, as metrics and readiness name them (checkDelivery is a sink-write call). */
type InvokedStage = typeof Stage.validate | typeof Stage.route | typeof Stage.sinkWrite;

const INVOKED_STAGES: readonly InvokedStage[] = [Stage.validate, Stage.route, Stage.sinkWrite];

/** How the last invoke of a stage went: answered (`ok`), or the invoke itself failed. */
type LastAnswer = { readonly ok: boolean; readonly atMs: number };

/** What readiness asks of the measured invoker: each stage's last invoke. */
type StageAnswers = { last(stage: InvokedStage): LastAnswer | undefined };

/**
 * Wraps a StageInvoker to measure every invoke: records in flight, the round trip by outcome, and
 * the time of each stage's last answer (also kept for readiness). `failed` means the invoke
 * itself failed (it threw: unreachable, timed out, a function error); an answer with failed
 * records is still `ok` here, its records are counted where they settle.
 */
function measureInvoker(
  inner: StageInvoker,
  instruments: Pick<BridgeInstruments, 'stageInFlight' | 'stageDuration' | 'stageLastAnswer'>,
  now: () => number = Date.now,
): StageInvoker & StageAnswers {
  const last = new Map<InvokedStage, LastAnswer>();

  async function measured<T>(stage: InvokedStage, records: number, call: () => Promise<T>): Promise<T> {
    const started = now();
    instruments.stageInFlight.add(records, { stage });
    let ok = false;
    try {
      const answer = await call();
      ok = true;
      return answer;
    } finally {
      const at = now();
      const outcome = ok ? 'ok' : 'failed';
      instruments.stageInFlight.add(-records, { stage });
      instruments.stageDuration.record((at - started) / 1000, { stage, outcome });
      instruments.stageLastAnswer.record(at / 1000, { stage, outcome });
      last.set(stage, { ok, atMs: at });
    }
  }

  return {
    validate: (request) => measured(Stage.validate, request.records.length, () => inner.validate(request)),
    route: (request) => measured(Stage.route, request.records.length, () => inner.route(request)),
    sinkWrite: (request) => measured(Stage.sinkWrite, request.records.length, () => inner.sinkWrite(request)),
    checkDelivery: (request) => measured(Stage.sinkWrite, request.records.length, () => inner.checkDelivery(request)),
    last: (stage) => last.get(stage),
  };
}

export { INVOKED_STAGES, measureInvoker };
export type { InvokedStage, LastAnswer, StageAnswers };
