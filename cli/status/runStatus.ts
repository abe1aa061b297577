import { setTimeout as sleep } from 'node:timers/promises';
import type { CliConfig } from '../../shared/config/index.ts';
import type { Print } from '../commands.ts';
import { readJetStream } from './jetStream.ts';
import { circuitStatuses, type ReplicaScrapes, routeStatuses, stageStatuses } from './rates.ts';
import { renderStatus } from './render.ts';
import { type BridgeSource, type Completeness, completenessOf, type StatusReport } from './report.ts';
import { scrape } from './scrape.ts';

type StatusOptions = {
  /** Each bridge replica's `/metrics` URL. */
  readonly metricsUrls: readonly string[];
  readonly intervalSeconds: number;
  /** At most this many dead letters are read for the by-reason and by-route counts. */
  readonly scanLimit: number;
  readonly json: boolean;
};

/** Two scrapes of one replica `intervalSeconds` apart, or why it could not be read. */
async function scrapeTwice(url: string, intervalSeconds: number): Promise<{ source: BridgeSource; scrapes?: ReplicaScrapes }> {
  const startedMs = Date.now();
  const first = await scrape(url);
  if (!first.ok) return { source: { url, reachable: false, error: first.error } };
  await sleep(Math.max(0, startedMs + intervalSeconds * 1000 - Date.now()));
  const second = await scrape(url);
  if (!second.ok) return { source: { url, reachable: false, error: second.error } };
  return { source: { url, reachable: true }, scrapes: { first, second } };
}

/**
 * `ingest status`: scrapes every bridge replica twice while it reads consumer lag and dead letters
 * from JetStream, then prints one screen (or the report as JSON). Resolves to how complete it was.
 */
async function runStatus(config: CliConfig, options: StatusOptions, print: Print): Promise<Completeness> {
  const [replicas, jetStream] = await Promise.all([
    Promise.all(options.metricsUrls.map((url) => scrapeTwice(url, options.intervalSeconds))),
    readJetStream(config, options.scanLimit),
  ]);
  const answered = replicas.flatMap((replica) => (replica.scrapes === undefined ? [] : [replica.scrapes]));
  const latest = answered.map((scrapes) => scrapes.second.samples);
  const report: Omit<StatusReport, 'completeness'> = {
    at: new Date().toISOString(),
    intervalSeconds: options.intervalSeconds,
    bridges: replicas.map((replica) => replica.source),
    routes: routeStatuses(answered),
    circuits: circuitStatuses(latest),
    stages: stageStatuses(latest),
    consumers: jetStream.consumers,
    deadLetters: jetStream.deadLetters,
  };
  const full: StatusReport = { ...report, completeness: completenessOf(report) };
  print(options.json ? JSON.stringify(full, null, 2) : renderStatus(full));
  return full.completeness;
}

export { runStatus };
export type { StatusOptions };
