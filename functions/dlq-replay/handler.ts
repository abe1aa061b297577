import middy from '@middy/core';
import { parseLetterId } from '../../shared/deadletters/index.ts';
import { BadRequestError } from '../../shared/middleware/index.ts';
import { type ReplayReport, type ReplayRequest, runReplay } from '../../shared/stages/index.ts';
import { buildDlqReplayDeps } from '../../shared/wiring/index.ts';

const deps = buildDlqReplayDeps();
const { logger, runtime } = deps;

type ScheduledEvent = { readonly 'detail-type'?: string; readonly source?: string };

/** Letter ids as an on-demand invoke gives them (`<stream>:<sequence>`, or a bare ingest-stream sequence). */
function letterIds(ids: unknown): string[] | undefined {
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids)) throw new BadRequestError('dlq-replay', ['ids must be an array of dead-letter ids (<stream>:<sequence>)']);
  return ids.map((id, index) => {
    const parsed = typeof id === 'string' || typeof id === 'number' ? parseLetterId(String(id), deps.ingestStream) : undefined;
    if (parsed === undefined) throw new BadRequestError('dlq-replay', [`ids[${index}] is not a dead-letter id (<stream>:<sequence>): ${JSON.stringify(id)}`]);
    return parsed;
  });
}

function toRequest(event: ReplayRequest & ScheduledEvent): ReplayRequest {
  // A scheduled run (EventBridge) replays everything due; an on-demand invoke may filter.
  if (event.source === 'aws.events') return {};
  const { dryRun, limit, reason, routeKey, subject, since, until } = event;
  const ids = letterIds(event.ids);
  return { dryRun, limit, reason, routeKey, subject, since, until, ...(ids === undefined ? {} : { ids }) };
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
