import { loadBridgeConfig, loadCliConfig } from '../shared/config/index.ts';
import { CLOUDEVENTS_MODES } from '../shared/cloudevents/index.ts';
import { BROKEN } from './brokenKinds.ts';
import { type CommandSpec, oneOf, positiveInteger, stringValue } from './commandSpec.ts';
import { DLQ_COMMANDS } from './dlqCommandSpecs.ts';
import { REGISTRY_COMMANDS } from './registryCommandSpecs.ts';
import { STATUS_COMMANDS } from './statusCommandSpecs.ts';
import { UsageError } from './exitCodes.ts';

// Each command imports what it runs when it runs, so help, --version and usage errors load
// none of it (nats.js, postgres.js, avsc): they answer at once and need no service.

const OTHER_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'migrate',
    args: [],
    options: {},
    summary: 'apply pending registry migrations',
    details: 'Applies the forward-only migrations in infra/migrations that the database has not seen yet.',
    async run({ print }) {
      const { runMigrate } = await import('./commands.ts');
      await runMigrate(loadCliConfig(), print);
      return true;
    },
  },
  {
    name: 'sink create-table',
    args: ['<subject>'],
    options: { print: { type: 'boolean', help: 'only show the DDL; create nothing' } },
    summary: "create a route's PostgreSQL table from its schema and column mapping",
    details:
      'A hypertable where TimescaleDB is installed; an existing table is left as it is. Exit code 1\nwhen no route has <subject> or the route writes to no PostgreSQL table.',
    async run({ args, values, print }) {
      const { runSinkCreateTable } = await import('./sinkCommands.ts');
      return runSinkCreateTable(loadCliConfig(), { subject: args[0]!, print: values.print === true }, print);
    },
  },
  {
    name: 'nats setup',
    args: [],
    options: {},
    summary: "create or update the streams and the bridge's consumer",
    details:
      'The ingest and dead-letter streams and the consumer, with the settings the bridge would\nprovision (INGEST_*, DEADLETTER_*, MAX_DELIVER, ACK_WAIT_MS, MAX_ACK_PENDING).',
    async run({ print }) {
      const [{ runNatsSetup }, { consumerSettingsFor }] = await Promise.all([import('./commands.ts'), import('../shared/nats/index.ts')]);
      await runNatsSetup(loadCliConfig(), consumerSettingsFor(loadBridgeConfig()), print);
      return true;
    },
  },
  {
    name: 'publish',
    args: ['<subject>'],
    options: {
      count: { type: 'string', value: 'N', help: 'how many events (default 1)' },
      broken: { type: 'string', value: 'KIND', help: `spoil each event: ${BROKEN.join(', ')}` },
      cloudevents: { type: 'string', value: 'MODE', help: `publish as CloudEvents in the NATS binding: ${CLOUDEVENTS_MODES.join(' or ')}` },
    },
    summary: 'publish sample events for a registered route, valid or broken on purpose',
    details: [
      "Valid events are encoded with the route's schema in its wire format. Each --broken KIND ends as",
      'a dead letter with its own reason:',
      '  random-bytes       bytes that are not Avro                   avro_decode_failed',
      '  truncated          the first half of a valid event           avro_decode_failed',
      "  unknown-route      the route's type with version v999        unknown_route",
      '  bad-subject        the type without a version                invalid_subject',
      '  unknown-schema-id  a frame naming a schema no version has    unknown_schema_id',
      '                     (framed wire formats only: schema-id, confluent, single-object;',
      '                     a raw payload carries no schema id, so a raw route refuses it)',
      '',
      '--cloudevents binary sends the CloudEvent attributes (id, source, type, time) as ce-* headers',
      'beside the Avro payload; --cloudevents structured sends one application/cloudevents+json',
      'document with the Avro payload base64 in data_base64. Only for a route whose message group',
      'declares envelope CloudEvents/1.0, and only with valid events (not with --broken).',
    ].join('\n'),
    async run({ args, values, print }) {
      const count = positiveInteger(stringValue(values, 'count'), '--count', 1);
      const broken = oneOf(stringValue(values, 'broken'), '--broken', BROKEN);
      const cloudEvents = oneOf(stringValue(values, 'cloudevents'), '--cloudevents', CLOUDEVENTS_MODES);
      if (broken !== undefined && cloudEvents !== undefined) throw new UsageError('--cloudevents publishes valid events only; leave out --broken');
      const { runPublish } = await import('./commands.ts');
      await runPublish(loadCliConfig(), { subject: args[0]!, count, broken, cloudEvents }, print);
      return true;
    },
  },
];

/** Every command of `ingest`, in the order help lists them. */
const COMMANDS: readonly CommandSpec[] = [OTHER_COMMANDS[0]!, ...REGISTRY_COMMANDS, ...OTHER_COMMANDS.slice(1), ...DLQ_COMMANDS, ...STATUS_COMMANDS];

/** Words that only lead to subcommands: `ingest registry` alone is incomplete. */
const GROUPS: readonly string[] = [
  ...new Set(
    COMMANDS.map((spec) => spec.name.split(' '))
      .filter((words) => words.length > 1)
      .map((words) => words[0]!),
  ),
];

export { COMMANDS, GROUPS };
