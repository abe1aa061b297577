import { letterAsRawRecord } from '../shared/stages/index.ts';
import { matchesReplayFilter, runReplay, type ReplayFilter } from '../shared/stages/index.ts';
import { createReplayRuntime } from '../shared/wiring/index.ts';
import { decodeRecords } from '../shared/stages/index.ts';
import { DecoderCache } from '../shared/stages/index.ts';
import type { ReplayConfig } from '../shared/config/index.ts';
import type { DeadLetterStore, StoredLetter } from '../shared/deadletters/index.ts';
import { createRouteLookup } from '../shared/routes/index.ts';
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

/** Where a letter's original is: inline, or its size in the object store. */
function originalColumn(stored: StoredLetter): string {
  const { letter } = stored;
  return letter.stored === undefined ? 'inline' : `object store (${letter.stored.payloadBytes} bytes)`;
}

async function runDlqList(config: ReplayConfig, options: ReplayFilter & { limit: number; json: boolean }, print: Print): Promise<void> {
  const letters = await withRuntime(config, async (runtime) => selectLetters(await runtime.store(), options, options.limit));
  if (options.json) {
    print(
      JSON.stringify(
        letters.map(({ seq, letter }) => ({ ...letter, deadLetterSequence: seq })),
        null,
        2,
      ),
    );
    return;
  }
  print(['id', 'firstFailedAt', 'lastFailedAt', 'subject', 'stage', 'reason', 'attempts', 'replays', 'eventId', 'original', 'message'].join('\t'));
  for (const stored of letters) {
    const { letter } = stored;
    const replays = `${letter.replayCount}${letter.parked === true ? ' (parked)' : ''}`;
    print(
      [
        letter.id,
        letter.firstFailedAt,
        letter.lastFailedAt,
        letter.subject,
        letter.stage,
        letter.reason,
        letter.attempts,
        replays,
        letter.eventId ?? '-',
        originalColumn(stored),
        letter.message,
      ].join('\t'),
    );
  }
  print(`${letters.length} dead letter(s)`);
}

/**
 * One dead letter in full: its original headers and payload (from the object store when it was too
 * large to travel inline), and the payload decoded by the current registry when it decodes.
 */
async function runDlqShow(config: ReplayConfig, id: string, print: Print): Promise<boolean> {
  return withRuntime(config, async (runtime) => {
    const store = await runtime.store();
    const stored = await store.find(id);
    if (stored === undefined) {
      print(`no dead letter with id ${id}`);
      return false;
    }
    const { letter } = stored;
    const original = await store.original(letter);
    const { createSql } = await import('../shared/postgres/index.ts');
    const sql = createSql(config.databaseUrl, { max: 1, applicationName: 'ingest-cli' });
    try {
      // The same decoding validate and sink-write run, keeping the event validate would not return.
      const [result] = await decodeRecords(
        [letterAsRawRecord(letter, original, 'show')],
        { routes: createRouteLookup(sql, config.registryCache), decoders: new DecoderCache() },
        (_record, decoded) => decoded.toEvent(),
      );
      const decoded =
        result === undefined
          ? '(does not decode now: no result)'
          : 'ok' in result
            ? `(does not decode now: ${result.failure.reason}: ${result.failure.message})`
            : result.body;
      print(JSON.stringify({ ...letter, headers: original.headers, payload: original.payload, deadLetterSequence: stored.seq, decoded }, null, 2));
    } finally {
      await sql.end({ timeout: 5 });
    }
    return true;
  });
}

async function runDlqReplay(config: ReplayConfig, request: ReplayFilter & { dryRun: boolean; limit: number | undefined }, print: Print): Promise<void> {
  const report = await withRuntime(config, async (runtime) => runReplay(request, await runtime.deps()));
  for (const item of report.items) print([item.id, item.subject, item.reason, item.outcome, item.detail ?? ''].join('\t'));
  print(
    `${report.dryRun ? 'dry run: ' : ''}examined ${report.examined}: ${
      Object.entries(report.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ') || 'nothing to do'
    }`,
  );
}

/** Deletes dead letters for good, with their originals in the object store; refuses without --yes, and says how many it would delete. */
async function runDlqPurge(config: ReplayConfig, filter: ReplayFilter & { yes: boolean }, print: Print): Promise<boolean> {
  return withRuntime(config, async (runtime) => {
    const store = await runtime.store();
    const doomed = await selectLetters(store, filter);
    const apart = doomed.filter((stored) => stored.letter.stored !== undefined).length;
    const originals = apart === 0 ? '' : ` (${apart} with their originals in the object store)`;
    if (!filter.yes) {
      print(`would delete ${doomed.length} dead letter(s)${originals}; run again with --yes to delete them`);
      return doomed.length === 0;
    }
    for (const stored of doomed) await store.remove(stored);
    print(`deleted ${doomed.length} dead letter(s)${originals}`);
    return true;
  });
}

export { runDlqList, runDlqPurge, runDlqReplay, runDlqShow };
