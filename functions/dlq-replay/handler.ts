import middy from '@middy/core';
import { loadReplayConfig } from '../../shared/config/index.ts';
import { createLogger } from '../../shared/logging/index.ts';
import { type ReplayReport, type ReplayRequest, runReplay } from './replay.ts';
import { createReplayRuntime } from './runtime.ts';

const config = loadReplayConfig();
const logger = createLogger(config.logLevel, { function: 'dlq-replay' });
const runtime = createReplayRuntime(config);

type ScheduledEvent = { readonly 'detail-type'?: string; readonly source?: string };

function toRequest(event: ReplayRequest & ScheduledEvent): ReplayRequest {
  // A scheduled run (EventBridge) replays everything due; an on-demand invoke may filter.
  if (event.source === 'aws.events') return {};
  const { dryRun, limit, reason, routeKey, subject, since, until } = event;
  return { dryRun, limit, reason, routeKey, subject, since, until };
}

async function dlqReplay(event: ReplayRequest & ScheduledEvent): Promise<ReplayReport> {
  const report = await runReplay(toRequest(event ?? {}), await runtime.deps());
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

const handler = middy<ReplayRequest & ScheduledEvent, ReplayReport>().handler(dlqReplay);

export { handler };
