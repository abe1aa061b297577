import type { ReplayFilter } from '../functions/dlq-replay/replay.ts';
import { loadReplayConfig } from '../shared/config/index.ts';
import { type CommandSpec, flag, type OptionSpec, type OptionValues, positiveInteger, stringValue } from './commandSpec.ts';
import { UsageError } from './exitCodes.ts';

/** The dead-letter commands' code, loaded only when one runs (see commandTable.ts). */
const commands = (): Promise<typeof import('./dlqCommands.ts')> => import('./dlqCommands.ts');

const FILTER_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  reason: { type: 'string', value: 'R', help: 'only letters with this reason, e.g. unknown_route' },
  route: { type: 'string', value: 'TYPE.VERSION', help: 'only letters of this route key, e.g. metrics.cpu.usage.v1' },
  subject: { type: 'string', value: 'S', help: 'only letters whose original subject is S' },
  since: { type: 'string', value: 'ISO-TIME', help: 'only letters that failed at or after this time' },
  until: { type: 'string', value: 'ISO-TIME', help: 'only letters that failed before this time' },
};

function filterOf(values: OptionValues): ReplayFilter {
  for (const key of ['since', 'until']) {
    const value = stringValue(values, key);
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new UsageError(`--${key} must be an ISO-8601 time, got "${value}"`);
  }
  return {
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
    details: 'One tab-separated line per dead letter (id, failure time, subject, stage, reason, attempts,\nreplays, event id, message) and a count; --json prints the letters as one JSON array.',
    async run({ values, print }) {
      await (await commands()).runDlqList(loadReplayConfig(), { ...filterOf(values), limit: positiveInteger(stringValue(values, 'limit'), '--limit', 100), json: flag(values, 'json') }, print);
      return true;
    },
  },
  {
    name: 'dlq show',
    args: ['<id>'],
    options: {},
    summary: 'one dead letter in full, its payload decoded if it decodes now',
    details: '<id> is a dead letter\'s id as `ingest dlq list` shows it. Prints the letter as JSON with its\npayload decoded by the current registry (or why it does not decode). Exit code 1 when there is\nno such letter.',
    async run({ args, print }) {
      return (await commands()).runDlqShow(loadReplayConfig(), positiveInteger(args[0], 'the dead letter id', 0), print);
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
    details: 'Checks each selected letter against the registry as it is now; those that pass are published\nagain to their original subject, the others stay with their replay count raised (parked after\nDLQ_REPLAY_MAX_REPLAYS). Prints one line per letter and a summary.',
    async run({ values, print }) {
      const limit = stringValue(values, 'limit');
      await (await commands()).runDlqReplay(loadReplayConfig(), { ...filterOf(values), dryRun: flag(values, 'dry-run'), limit: limit === undefined ? undefined : positiveInteger(limit, '--limit', 1) }, print);
      return true;
    },
  },
  {
    name: 'dlq purge',
    args: [],
    options: { ...FILTER_OPTIONS, yes: { type: 'boolean', help: 'really delete them' } },
    summary: 'delete dead letters for good (without --yes only says how many)',
    details: 'Without --yes it only says how many letters the filters select and exits 1 when that is more\nthan none, so a script cannot mistake it for a purge.',
    async run({ values, print }) {
      return (await commands()).runDlqPurge(loadReplayConfig(), { ...filterOf(values), yes: flag(values, 'yes') }, print);
    },
  },
];

export { DLQ_COMMANDS };
