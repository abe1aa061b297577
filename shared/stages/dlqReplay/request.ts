import { parseLetterId } from '../../deadletters/index.ts';
import { BadRequestError } from '../../middleware/index.ts';
import type { ReplayRequest } from './replay.ts';

/** What invokes dlq-replay: an EventBridge schedule, or an on-demand invoke with a filter. */
type ReplayInvokeEvent = ReplayRequest & { readonly 'detail-type'?: string; readonly source?: string };

/** Letter ids as an on-demand invoke gives them (`<stream>:<sequence>`, or a bare ingest-stream sequence). */
function letterIds(ids: unknown, ingestStream: string): string[] | undefined {
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids)) throw new BadRequestError('dlq-replay', ['ids must be an array of dead-letter ids (<stream>:<sequence>)']);
  return ids.map((id, index) => {
    const parsed = typeof id === 'string' || typeof id === 'number' ? parseLetterId(String(id), ingestStream) : undefined;
    if (parsed === undefined) throw new BadRequestError('dlq-replay', [`ids[${index}] is not a dead-letter id (<stream>:<sequence>): ${JSON.stringify(id)}`]);
    return parsed;
  });
}

/**
 * The replay an invoke asks for: a scheduled run (EventBridge) replays everything due; an on-demand
 * invoke may filter. Throws BadRequestError for ids that are not dead-letter ids.
 */
function toReplayRequest(event: ReplayInvokeEvent | null | undefined, ingestStream: string): ReplayRequest {
  if (event === null || event === undefined || event.source === 'aws.events') return {};
  const { dryRun, limit, reason, routeKey, subject, since, until } = event;
  const ids = letterIds(event.ids, ingestStream);
  return { dryRun, limit, reason, routeKey, subject, since, until, ...(ids === undefined ? {} : { ids }) };
}

export { toReplayRequest };
export type { ReplayInvokeEvent };
