import { parseArgs } from 'node:util';
import { loadBridgeConfig, loadCliConfig, loadRegistryClientConfig, loadReplayConfig } from '../shared/config/index.ts';
import { parseLetterId } from '../shared/deadletters/index.ts';
import { consumerSettingsFor } from '../shared/nats/index.ts';
import { BROKEN, runMigrate, runNatsSetup, runPublish } from './commands.ts';
import { runDlqList, runDlqPurge, runDlqReplay, runDlqShow } from './dlqCommands.ts';
import { runSinkCreateTable } from './sinkCommands.ts';
import { runCheckCompat, runRegistryExport, runRegistryImport, runRegistryList, runRegistryRequest } from './registryCommands.ts';

const USAGE = `usage: ingest <command>

  migrate                              apply pending registry migrations
  registry import <file.xreg.json>     validate and apply a registry document (an export, or written
                                       by hand) in one transaction; creates sink tables
  registry export [--out FILE]         the whole registry as one document
  registry list                        one line per route: subject, schema, sink, dead letters, framing
  registry get <path>                  any registry path, e.g. /schemagroups/metrics/schemas/cpu-usage$details
  registry put|patch|post <path> <file.json>
  registry delete <path>               write through the same rules as the HTTP API
  registry check-compat <schema-path> <schema.avsc> [--mode MODE]
                                       check a schema file against the registered versions (no change);
                                       reads REGISTRY_URL over HTTP when set, else the database
  sink create-table <subject> [--print]
                                       create a route's PostgreSQL table from its schema and column
                                       mapping (--print: only show the DDL)
  nats setup                           create or update the streams and the bridge's consumer
  publish <subject> [--count N] [--broken ${BROKEN.join('|')}]
                                       publish sample Avro events for a registered route
  dlq list [FILTERS] [--limit N] [--json]
                                       list dead letters, oldest first
  dlq show <id>                        one dead letter in full, its payload decoded if it decodes now;
                                       <id> is the original's <stream>:<sequence> (dlq list shows it),
                                       or a bare sequence of the ingest stream
  dlq replay [FILTERS] [--dry-run] [--limit N]
                                       re-drive dead letters whose cause is fixed (what the scheduled
                                       dlq-replay function does); --dry-run only reports
  dlq purge [FILTERS] --yes            delete dead letters for good

  FILTERS: --id ID (repeatable)  --reason R  --route TYPE.VERSION  --subject S
           --since ISO-TIME  --until ISO-TIME (of the last failure)

Configuration comes from the environment (NATS_URL, DATABASE_URL, ...; see README).`;

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer`);
  return parsed;
}

async function main(argv: string[]): Promise<boolean> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      count: { type: 'string' },
      id: { type: 'string', multiple: true },
      broken: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
      out: { type: 'string' },
      mode: { type: 'string' },
      route: { type: 'string' },
      subject: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      print: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const [command, sub, first, second] = positionals;
  if (values.help || command === undefined) {
    print(USAGE);
    return true;
  }
  const config = loadCliConfig();
  for (const key of ['since', 'until'] as const) {
    if (values[key] !== undefined && Number.isNaN(Date.parse(values[key]))) throw new Error(`--${key} must be an ISO-8601 time`);
  }
  const ingestStream = config.nats.ingest.name;
  const letterIdArgument = (text: string, what: string): string => {
    const id = parseLetterId(text, ingestStream);
    if (id === undefined) throw new Error(`${what} "${text}" is not a dead-letter id: <stream>:<sequence> of the original message, or a sequence of ${ingestStream}`);
    return id;
  };
  const ids = values.id?.map((text) => letterIdArgument(text, '--id'));
  const filter = { ids, reason: values.reason, routeKey: values.route, subject: values.subject, since: values.since, until: values.until };
  const pair = `${command} ${sub ?? ''}`.trim();
  switch (pair) {
    case 'migrate':
      await runMigrate(config, print);
      return true;
    case 'registry import':
    case 'registry load':
      if (first === undefined) break;
      await runRegistryImport(config, first, print);
      return true;
    case 'registry export':
      await runRegistryExport(config, values.out, print);
      return true;
    case 'registry list':
      await runRegistryList(config, print);
      return true;
    case 'registry get':
    case 'registry delete':
      if (first === undefined) break;
      return runRegistryRequest(config, sub === 'get' ? 'GET' : 'DELETE', first, undefined, print);
    case 'registry put':
    case 'registry patch':
    case 'registry post':
      if (first === undefined || second === undefined) break;
      return runRegistryRequest(config, sub!.toUpperCase(), first, second, print);
    case 'registry check-compat':
      if (first === undefined || second === undefined) break;
      return runCheckCompat(config, { schemaPath: first, file: second, registryUrl: loadRegistryClientConfig().registryUrl, mode: values.mode }, print);
    case 'sink create-table':
      if (first === undefined) break;
      return runSinkCreateTable(config, { subject: first, print: values.print }, print);
    case 'nats setup':
      await runNatsSetup(config, consumerSettingsFor(loadBridgeConfig()), print);
      return true;
    case 'dlq list':
      await runDlqList(loadReplayConfig(), { ...filter, limit: positiveInteger(values.limit, '--limit', 100), json: values.json }, print);
      return true;
    case 'dlq show':
      if (first === undefined) break;
      return runDlqShow(loadReplayConfig(), letterIdArgument(first, 'id'), print);
    case 'dlq replay':
      await runDlqReplay(loadReplayConfig(), { ...filter, dryRun: values['dry-run'], limit: values.limit === undefined ? undefined : positiveInteger(values.limit, '--limit', 1) }, print);
      return true;
    case 'dlq purge':
      return runDlqPurge(loadReplayConfig(), { ...filter, yes: values.yes }, print);
    default:
      if (command === 'publish' && sub !== undefined) {
        await runPublish(config, { subject: sub, count: positiveInteger(values.count, '--count', 1), broken: values.broken }, print);
        return true;
      }
  }
  throw new Error(`unknown or incomplete command "${positionals.join(' ')}"\n\n${USAGE}`);
}

main(process.argv.slice(2))
  .then((ok) => {
    if (!ok) process.exitCode = 1;
  })
  .catch((error: unknown) => {
    process.stderr.write(`ingest: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
