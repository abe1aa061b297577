import { letterAsRawRecord } from '../functions/dlq-replay/check.ts';
import { matchesReplayFilter, runReplay, type ReplayFilter } from '../functions/dlq-replay/replay.ts';
import { createReplayRuntime } from '../functions/dlq-replay/runtime.ts';
import type { DeadLetterStore, StoredLetter } from '../functions/dlq-replay/store.ts';
import { runValidate } from '../functions/validate/validate.ts';
import { DecoderCache } from '../functions/validate/decoders.ts';
import type { ReplayConfig } from '../shared/config/index.ts';
import { createRouteLookup } from '../shared/registry/index.ts';
import type { Print } from './commands.ts';

/** The letters the filter selects, oldest first, at most `limit`; the scan stops once it has them. */
async function selectLetters(store: DeadLetterStore, filter: ReplayFilter, limit = Number.POSITIVE_INFINITY): Promise<StoredLetter[]> {
  const found: StoredLetter[] = [];
  if (limit <= 0) return found;
  await store.scan(async (stored) => {
    if (matchesReplayFilter(stored.letter, filter)) found.push(stored);
    return found.length < limit;
  });
  return found;
}

async function withRuntime<T>(config: ReplayConfig, work: (runtime: ReturnType<typeof createReplayRuntime>) => Promise<T>): Promise<T> {
  const runtime = createReplayRuntime(config);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

async function runDlqList(config: ReplayConfig, options: ReplayFilter & { limit: number; json: boolean }, print: Print): Promise<void> {
  const letters = await withRuntime(config, async (runtime) => selectLetters(await runtime.store(), options, options.limit));
  if (options.json) {
    print(JSON.stringify(letters.map(({ seq, letter }) => ({ seq, ...letter })), null, 2));
    return;
  }
  print(['seq', 'failedAt', 'subject', 'stage', 'reason', 'attempts', 'replays', 'eventId', 'message'].join('\t'));
  for (const { seq, letter } of letters) {
    const replays = `${letter.replayCount}${letter.parked === true ? ' (parked)' : ''}`;
    print([seq, letter.failedAt, letter.subject, letter.stage, letter.reason, letter.attempts, replays, letter.eventId ?? '-', letter.message].join('\t'));
  }
  print(`${letters.length} dead letter(s)`);
}

/** One dead letter in full, with its payload decoded by the current registry when it can be. */
async function runDlqShow(config: ReplayConfig, seq: number, print: Print): Promise<boolean> {
  return withRuntime(config, async (runtime) => {
    let stored: StoredLetter | undefined;
    await (await runtime.store()).scan(async (candidate) => {
      if (candidate.seq === seq) stored = candidate;
      return stored === undefined && candidate.seq < seq;
    });
    if (stored === undefined) {
      print(`no dead letter at sequence ${seq}`);
      return false;
    }
    const { letter } = stored;
    const { createSql } = await import('../shared/postgres/index.ts');
    const sql = createSql(config.databaseUrl, { max: 1, applicationName: 'ingest-cli' });
    try {
      const [result] = (
        await runValidate(
          { records: [letterAsRawRecord(letter, 'show')] },
          { routes: createRouteLookup(sql, config.registryCache), decoders: new DecoderCache() },
        )
      ).results;
      const decoded = result?.ok ? result.event.body : `(does not decode now: ${result?.ok === false ? `${result.failure.reason}: ${result.failure.message}` : 'no result'})`;
      print(JSON.stringify({ seq, ...letter, decoded }, null, 2));
    } finally {
      await sql.end({ timeout: 5 });
    }
    return true;
  });
}

async function runDlqReplay(config: ReplayConfig, request: ReplayFilter & { dryRun: boolean; limit: number | undefined }, print: Print): Promise<void> {
  const report = await withRuntime(config, async (runtime) => runReplay(request, await runtime.deps()));
  for (const item of report.items) print([item.seq, item.subject, item.reason, item.outcome, item.detail ?? ''].join('\t'));
  print(`${report.dryRun ? 'dry run: ' : ''}examined ${report.examined}: ${Object.entries(report.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to do'}`);
}

/** Deletes dead letters for good; refuses without --yes, and says how many it would delete. */
async function runDlqPurge(config: ReplayConfig, filter: ReplayFilter & { yes: boolean }, print: Print): Promise<boolean> {
  return withRuntime(config, async (runtime) => {
    const store = await runtime.store();
    const doomed = await selectLetters(store, filter);
    if (!filter.yes) {
      print(`would delete ${doomed.length} dead letter(s); run again with --yes to delete them`);
      return doomed.length === 0;
    }
    for (const stored of doomed) await store.remove(stored);
    print(`deleted ${doomed.length} dead letter(s)`);
    return true;
  });
}

export { runDlqList, runDlqPurge, runDlqReplay, runDlqShow };
