import { parseArgs } from 'node:util';
import { loadBridgeConfig, loadCliConfig } from '../shared/config/index.ts';
import { consumerSettingsFor } from '../shared/nats/index.ts';
import { BROKEN, runDlqList, runMigrate, runNatsSetup, runPublish, runRegistryList, runRegistryLoad } from './commands.ts';

const USAGE = `usage: ingest <command>

  migrate                              apply pending registry migrations
  registry load <file.json>            validate and store a registry document, create sink tables
  registry list                        print the registry as a document
  nats setup                           create or update the streams and the bridge's consumer
  publish <subject> [--count N] [--broken ${BROKEN.join('|')}]
                                       publish sample Avro events for a registered route
  dlq list [--limit N] [--reason R] [--json]
                                       list dead letters, oldest first

Configuration comes from the environment (NATS_URL, DATABASE_URL, ...; see README).`;

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer`);
  return parsed;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      count: { type: 'string' },
      broken: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const [command, sub, arg] = positionals;
  if (values.help || command === undefined) {
    print(USAGE);
    return;
  }
  const config = loadCliConfig();
  const route = `${command} ${sub ?? ''}`.trim();
  if (command === 'migrate') return runMigrate(config, print);
  if (route === 'registry load' && arg !== undefined) return runRegistryLoad(config, arg, print);
  if (route === 'registry list') return runRegistryList(config, print);
  if (route === 'nats setup') {
    return runNatsSetup(config, consumerSettingsFor(loadBridgeConfig()), print);
  }
  if (command === 'publish' && sub !== undefined) {
    return runPublish(config, { subject: sub, count: positiveInteger(values.count, '--count', 1), broken: values.broken }, print);
  }
  if (route === 'dlq list') {
    return runDlqList(config, { limit: positiveInteger(values.limit, '--limit', 100), reason: values.reason, json: values.json }, print);
  }
  throw new Error(`unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`ingest: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
