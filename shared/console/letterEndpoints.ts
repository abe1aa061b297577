import type { ApiResponse } from '../registryApi/index.ts';
import { badRequest, ConsoleRequestError } from './errors.ts';
import { requiredQuery } from './input.ts';
import { isEmptyFilter, letterFilterFromBody, letterListQuery } from './letterFilter.ts';
import { json } from './responses.ts';
import type { ConsoleContext, ConsoleRoute } from './router.ts';
import { logWrite } from './writeLog.ts';

async function listLetters(context: ConsoleContext): Promise<ApiResponse> {
  const { filter, limit } = letterListQuery(context.query);
  return json(200, await context.deps.letters.list(filter, limit));
}

async function showLetter(context: ConsoleContext): Promise<ApiResponse> {
  const id = requiredQuery(context.query, 'id');
  const letter = await context.deps.letters.show(id);
  if (letter === undefined) throw new ConsoleRequestError(404, 'Not Found', `no dead letter with id ${id}`);
  return json(200, letter);
}

/**
 * The same run as `ingest dlq replay`. A real run needs the letters chosen (ids, or at least one
 * field of a filter): one click must not re-drive every letter there is; a dry run of all is fine.
 */
async function replayLetters(context: ConsoleContext): Promise<ApiResponse> {
  const body = context.body();
  const filter = letterFilterFromBody(body.filter);
  if (typeof body.dryRun !== 'boolean') throw badRequest('"dryRun" is required: true to see what would land, false to replay');
  if (!body.dryRun && isEmptyFilter(filter)) throw badRequest('choose letters: ids or a filter (a replay of every letter is not taken from the console)');
  const report = await context.deps.letters.replay({ filter, dryRun: body.dryRun });
  if (!report.dryRun) logWrite(context.deps.logger, 'replay', { filter, examined: report.examined, counts: report.counts });
  return json(200, report);
}

/** Counts what a filter selects, or (with `expected`, the count the operator confirmed) deletes it. */
async function purgeLetters(context: ConsoleContext): Promise<ApiResponse> {
  const body = context.body();
  const filter = letterFilterFromBody(body.filter);
  const expected = body.expected;
  if (expected !== undefined && (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0)) {
    throw badRequest('"expected" must be the whole number of letters the purge was confirmed for');
  }
  // As for replays: deleting every letter there is is not one click in the console.
  if (expected !== undefined && isEmptyFilter(filter))
    throw badRequest('choose letters: ids or a filter (a purge of every letter is not taken from the console)');
  const result = await context.deps.letters.purge({ filter, expected });
  if (expected !== undefined) logWrite(context.deps.logger, 'purge', { filter, matched: result.matched, deleted: result.deleted });
  return json(200, result);
}

const LETTER_ROUTES: readonly ConsoleRoute[] = [
  { method: 'GET', path: '/deadletters', access: 'read', handler: listLetters },
  { method: 'GET', path: '/deadletters/one', access: 'read', handler: showLetter },
  { method: 'POST', path: '/deadletters/replay', access: 'write', handler: replayLetters },
  { method: 'POST', path: '/deadletters/purge', access: 'write', handler: purgeLetters },
];

export { LETTER_ROUTES };
