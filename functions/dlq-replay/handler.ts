import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ReplayInvokeEvent, type ReplayReport, runReplay, toReplayRequest } from '../../shared/stages/index.ts';
import { invocationTrace, tracedHandler } from '../../shared/middleware/index.ts';
import { buildDlqReplayDeps } from '../../shared/wiring/index.ts';

const deps = buildDlqReplayDeps();
const { logger, runtime } = deps;

async function dlqReplay(event: ReplayInvokeEvent, lambdaContext: Context): Promise<ReplayReport> {
  // The invocation's trace context: each republish's span links to it.
  const report = await runReplay(toReplayRequest(event, deps.ingestStream), await runtime.deps(invocationTrace(lambdaContext)));
  logger.info('dlq replay finished', { dryRun: report.dryRun, examined: report.examined, counts: report.counts });
  if (!report.dryRun) {
    // The scheduled run is also the housekeeping of fan-out delivery state; a failure here must not
    // hide the replay's report.
    try {
      const pruned = await runtime.pruneDeliveries();
      if (pruned > 0) logger.info('pruned fan-out delivery state', { rows: pruned });
    } catch (error) {
      logger.warn('pruning fan-out delivery state failed; the next run tries again', { error });
    }
  }
  return report;
}

const handler = middy<ReplayInvokeEvent, ReplayReport>().use(deps.powertools).handler(dlqReplay);

// Outermost, so the span covers every middleware too, and the flush comes after all of them.
const traced = tracedHandler('dlq-replay', deps.tracing, handler);

export { traced as handler };
