import type { NatsConnection } from '../shared/nats/index.ts';
import type { SinkTarget } from '../shared/sinks/index.ts';
import type { CachedProbe } from './cachedProbe.ts';
import { INVOKED_STAGES, type InvokedStage, type StageAnswers } from './measuredInvoker.ts';
import { answeredRecently, type Check, checkOf, PASSED, type ReadinessReport, readinessReport } from './readiness.ts';
import type { StageInvoker } from './stageInvoker.ts';

/**
 * An empty write needs a target to be a valid request, but sink-write answers `{records: []}` with
 * no results before it looks at the target: nothing is parsed, connected or written.
 */
const PROBE_TARGET: SinkTarget = { kind: 'postgres', table: 'readiness_probe' };

/** The cheapest call each stage answers: no records, so nothing is decoded, routed or written. */
function emptyInvoke(invoker: StageInvoker, stage: InvokedStage): () => Promise<unknown> {
  if (stage === 'validate') return () => invoker.validate({ records: [] });
  if (stage === 'route') return () => invoker.route({ records: [] });
  return () => invoker.sinkWrite({ target: PROBE_TARGET, records: [] });
}

/**
 * Whether the NATS connection is up right now: false from a `disconnect` status until the
 * `reconnect` one, and for good once it closed. The status stream ends when the connection does.
 */
function watchConnection(nc: NatsConnection): () => boolean {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      else if (status.type === 'reconnect') connected = true;
    }
  })();
  return () => connected && !nc.isClosed();
}

type ReadinessDeps = {
  readonly connected: () => boolean;
  /** The consumer's info (cached): it fails when the consumer is gone. */
  readonly consumer: CachedProbe<unknown>;
  readonly answers: StageAnswers;
  /** Per stage, an empty invoke (cached). */
  readonly probes: Readonly<Record<InvokedStage, CachedProbe<unknown>>>;
  /** How recent a stage's last successful invoke must be to count without a probe. */
  readonly freshMs: number;
  readonly now?: () => number;
};

/** `/readyz`'s checks: NATS connected, the consumer there, each stage answering (readiness.ts decides). */
async function checkReadiness(deps: ReadinessDeps): Promise<ReadinessReport> {
  const now = (deps.now ?? Date.now)();
  const nats: Check = deps.connected() ? PASSED : { ok: false, detail: 'not connected to NATS (reconnecting)' };
  // Without NATS the consumer cannot be asked; saying so beats waiting out a request timeout.
  const consumer = nats.ok ? await checkOf(deps.consumer.get()) : { ok: false as const, detail: 'NATS is not connected' };
  const stageChecks = await Promise.all(
    INVOKED_STAGES.map(async (stage): Promise<[InvokedStage, Check]> => {
      if (answeredRecently(deps.answers.last(stage), now, deps.freshMs)) return [stage, PASSED];
      return [stage, await checkOf(deps.probes[stage].get())];
    }),
  );
  return readinessReport({ nats, consumer, stages: Object.fromEntries(stageChecks) as Record<InvokedStage, Check> });
}

export { checkReadiness, emptyInvoke, watchConnection };
export type { ReadinessDeps };
