import type { ReplayFilter } from '../shared/stages/index.ts';
import { loadReplayConfig, type ReplayConfig } from '../shared/config/index.ts';
import { parseLetterId } from '../shared/deadletters/index.ts';
import { type CommandSpec, flag, type OptionSpec, type OptionValues, positiveInteger, stringValue, stringValues } from './commandSpec.ts';
import { UsageError } from './exitCodes.ts';

/** The dead-letter commands' code, loaded only when one runs (see commandTable.ts). */
const commands = (): Promise<typeof import('./dlqCommands.ts')> => import('./dlqCommands.ts');

const FILTER_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  id: {
    type: 'string',
    value: 'ID',
    multiple: true,
    help: 'only the letter with this id (<stream>:<sequence>, or a sequence of the ingest stream); repeatable',
  },
  reason: { type: 'string', value: 'R', help: 'only letters with this reason, e.g. unknown_route' },
  route: { type: 'string', value: 'TYPE.VERSION', help: 'only letters of this route key, e.g. metrics.cpu.usage.v1' },
  subject: { type: 'string', value: 'S', help: 'only letters whose original subject is S' },
  since: { type: 'string', value: 'ISO-TIME', help: 'only letters whose last failure was at or after this time' },
  until: { type: 'string', value: 'ISO-TIME', help: 'only letters whose last failure was at or before this time' },
};

/** A dead letter's stable id as typed: `<stream>:<sequence>`, or a bare sequence of the ingest stream. */
function letterId(text: string, config: ReplayConfig, what: string): string {
  const id = parseLetterId(text, config.nats.ingest.name);
  if (id === undefined) {
    throw new UsageError(
      `${what} "${text}" is not a dead-letter id: <stream>:<sequence> of the original message (as ingest dlq list shows it), or a sequence of ${config.nats.ingest.name}`,
    );
  }
  return id;
}

function filterOf(values: OptionValues, config: ReplayConfig): ReplayFilter {
  for (const key of ['since', 'until']) {
    const value = stringValue(values, key);
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new UsageError(`--${key} must be an ISO-8601 time, got "${value}"`);
  }
  return {
    ids: stringValues(values, 'id')?.map((text) => letterId(text, config, '--id')),
    reason: stringValue(values, 'reason'),
    routeKey: stringValue(values, 'route'),
    subject: stringValue(values, 'subject'),
    since: stringValue(values, 'since'),
    until: stringValue(values, 'until'),
  };
}

const DLQ_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'dlq list',
    args: [],
    options: {
      ...FILTER_OPTIONS,
      limit: { type: 'string', value: 'N', help: 'at most N letters (default 100)' },
      json: { type: 'boolean', help: 'print a JSON array of the letters instead of tab-separated lines' },
    },
    summary: 'list dead letters, oldest first, with replay counts',
    details:
      'One tab-separated line per dead letter (id, first and last failure time, subject, stage, reason,\nattempts, replays, event id, where the original is: inline or in the object store, message) and\na count; --json prints the letters as one JSON array.',
    async run({ values, print }) {
      const config = loadReplayConfig();
      await (await commands()).runDlqList(
        config,
        { ...filterOf(values, config), limit: positiveInteger(stringValue(values, 'limit'), '--limit', 100), json: flag(values, 'json') },
        print,
      );
      return true;
    },
  },
  {
    name: 'dlq show',
    args: ['<id>'],
    options: {},
    summary: 'one dead letter in full, its payload decoded if it decodes now',
    details:
      "<id> is a dead letter's stable id as `ingest dlq list` shows it: <stream>:<sequence> of the\noriginal message, or a bare sequence of the ingest stream. Prints the letter as JSON with its\noriginal headers and payload (read from the object store when it is kept there) and the payload\ndecoded by the current registry (or why it does not decode). Exit code 1 when there is no such\nletter.",
    async run({ args, print }) {
      const config = loadReplayConfig();
      return (await commands()).runDlqShow(config, letterId(args[0] ?? '', config, 'the dead letter id'), print);
    },
  },
  {
    name: 'dlq replay',
    args: [],
    options: {
      ...FILTER_OPTIONS,
      'dry-run': { type: 'boolean', help: 'only report what would succeed now; change nothing' },
      limit: { type: 'string', value: 'N', help: 'examine at most N letters (default DLQ_REPLAY_LIMIT)' },
    },
    summary: 're-drive dead letters whose cause is fixed (what the scheduled dlq-replay does)',
    details:
      'Checks each selected letter against the registry as it is now; those that pass are published\nagain to their original subject, the others stay with their replay count raised (parked after\nDLQ_REPLAY_MAX_REPLAYS). Prints one line per letter and a summary.',
    async run({ values, print }) {
      const limit = stringValue(values, 'limit');
      const config = loadReplayConfig();
      await (await commands()).runDlqReplay(
        config,
        { ...filterOf(values, config), dryRun: flag(values, 'dry-run'), limit: limit === undefined ? undefined : positiveInteger(limit, '--limit', 1) },
        print,
      );
      return true;
    },
  },
  {
    name: 'dlq purge',
    args: [],
    options: { ...FILTER_OPTIONS, yes: { type: 'boolean', help: 'really delete them' } },
    summary: 'delete dead letters for good, with their originals (without --yes only says how many)',
    details:
      'Deletes each selected letter and, when its original was too large to travel inline, its object\nin the object store. Without --yes it only says how many letters the filters select and exits 1\nwhen that is more than none, so a script cannot mistake it for a purge.',
    async run({ values, print }) {
      const config = loadReplayConfig();
      return (await commands()).runDlqPurge(config, { ...filterOf(values, config), yes: flag(values, 'yes') }, print);
    },
  },
];

export { DLQ_COMMANDS };
