import type { ReplayConfig } from '../shared/config/index.ts';
import type { StoredLetter } from '../shared/deadletters/index.ts';
import { createRouteLookup } from '../shared/routes/index.ts';
import { createLetterDecoder, DecoderCache, purgeLetters, type ReplayFilter, readLetter, runReplay, selectLetters } from '../shared/stages/index.ts';
import { createReplayRuntime } from '../shared/wiring/index.ts';
import type { Print } from './commands.ts';

// `ingest dlq` prints; what each command does is the dead-letter triage library in shared/stages,
// the same calls the console makes.

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

/** Prints letters only, no counts over the rest: selectLetters stops scanning at `limit` (listLetters would read the whole stream). */
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
 * One dead letter in full, as stored: its original headers and payload (from the object store when
 * it was too large to travel inline), and the payload decoded by the current registry when it decodes.
 */
async function runDlqShow(config: ReplayConfig, id: string, print: Print): Promise<boolean> {
  return withRuntime(config, async (runtime) => {
    const store = await runtime.store();
    const { createSql } = await import('../shared/postgres/index.ts');
    const sql = createSql(config.databaseUrl, { max: 1, applicationName: 'ingest-cli' });
    try {
      const read = await readLetter(store, createLetterDecoder({ routes: createRouteLookup(sql, config.registryCache), decoders: new DecoderCache() }), id);
      if (read === undefined) {
        print(`no dead letter with id ${id}`);
        return false;
      }
      const { stored, original, decoded } = read;
      const { letter } = stored;
      print(
        JSON.stringify(
          {
            ...letter,
            headers: original?.headers ?? letter.headers,
            payload: original?.payload ?? null,
            deadLetterSequence: stored.seq,
            decoded: decoded.ok ? decoded.event : `(does not decode now: ${decoded.reason}: ${decoded.message})`,
          },
          null,
          2,
        ),
      );
      return true;
    } finally {
      await sql.end({ timeout: 5 });
    }
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

/**
 * Deletes dead letters for good, with their originals in the object store; without --yes only
 * says how many it would delete. With --yes it counts, then purges expecting that count: a letter
 * arriving in between makes it delete nothing and say so (PurgeCountChangedError, exit 1).
 */
async function runDlqPurge(config: ReplayConfig, filter: ReplayFilter & { yes: boolean }, print: Print): Promise<boolean> {
  return withRuntime(config, async (runtime) => {
    const store = await runtime.store();
    const counted = await purgeLetters(store, filter, {});
    const originals = (apart: number): string => (apart === 0 ? '' : ` (${apart} with their originals in the object store)`);
    if (!filter.yes) {
      print(`would delete ${counted.matched} dead letter(s)${originals(counted.withStoredOriginals)}; run again with --yes to delete them`);
      return counted.matched === 0;
    }
    const purged = await purgeLetters(store, filter, { expected: counted.matched });
    print(`deleted ${purged.deleted} dead letter(s)${originals(purged.withStoredOriginals)}`);
    return true;
  });
}

export { runDlqList, runDlqPurge, runDlqReplay, runDlqShow };
