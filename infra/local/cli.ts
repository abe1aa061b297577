import { loadCliConfig, loadLauncherConfig } from '../../shared/config/index.ts';
import { redactUrl } from './probe.ts';
import { ensureServices, probeServices, stopStartedServices } from './services.ts';

const USAGE = 'usage: tsx infra/local/cli.ts up|down|status';

async function main(command: string | undefined): Promise<number> {
  if (command !== 'up' && command !== 'down' && command !== 'status') {
    console.error(USAGE);
    return 2;
  }
  const config = loadCliConfig();
  // LOCAL_DATA_DIR, the same directory `npm start` uses (default: the repository's .local/).
  const dataDir = loadLauncherConfig().dataDir;
  // Progress goes to stderr so stdout carries only the result lines, which scripts may read.
  const quiet = config.logLevel === 'warn' || config.logLevel === 'error';
  const log = (message: string): void => {
    if (!quiet) console.error(message);
  };
  const urls = { natsUrl: config.nats.url, databaseUrl: config.databaseUrl, dataDir };

  if (command === 'up') {
    const services = await ensureServices({ ...urls, log });
    for (const service of services.started) console.error(`started ${service.kind} (pid ${service.pid}), log ${service.logFile}`);
    console.log(`NATS_URL=${redactUrl(services.natsUrl)}`);
    console.log(`DATABASE_URL=${redactUrl(services.databaseUrl)}`);
    return 0;
  }
  if (command === 'down') {
    await stopStartedServices(dataDir, log);
    return 0;
  }
  const status = await probeServices(urls);
  const startedBy = (kind: string): string => {
    const service = status.started.find((candidate) => candidate.kind === kind);
    return service === undefined ? '' : ` [started by this tool, pid ${service.pid}]`;
  };
  const natsOk = status.nats.answers && status.nats.jetStream;
  const pgOk = status.postgres.answers && status.postgres.databaseExists;
  console.log(`nats      ${natsOk ? 'up  ' : 'DOWN'} ${redactUrl(urls.natsUrl)}: ${status.nats.detail}${startedBy('nats')}`);
  console.log(`postgres  ${pgOk ? 'up  ' : 'DOWN'} ${redactUrl(urls.databaseUrl)}: ${status.postgres.detail}${startedBy('postgres')}`);
  // Non-zero when something is not usable, so scripts can poll `status`.
  return natsOk && pgOk ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv[2]);
} catch (error) {
  // The message is written for a person; a stack trace would only bury it.
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
