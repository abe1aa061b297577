import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ConsoleConfig, type HttpSinkPolicy, loadConsoleConfig, loadHttpSinkPolicy } from '../config/index.ts';
import { buildOverview, type ConsoleAssets, ConsoleConflictError, type ConsoleDeps, type ConsoleLetters, type DeadLetterCounts } from '../console/index.ts';
import { type FiguresBucket, type FiguresRead, figuresTtlMs, openFiguresBucket } from '../figures/index.ts';
import type { Logger } from '../logging/index.ts';
import { functionTelemetry, registryApiView } from '../middleware/index.ts';
import type { Sql } from '../postgres/index.ts';
import { createRouteLookup, listRoutes } from '../routes/index.ts';
import {
  createLetterDecoder,
  DecoderCache,
  listLetters,
  PurgeCountChangedError,
  purgeLetters,
  runReplay,
  showLetter,
  summarizeLetter,
} from '../stages/index.ts';
import { createRegistryService } from '../xregistry/index.ts';
import { createFunctionBase } from './base.ts';
import { createReplayRuntime, type ReplayRuntime } from './dlqReplay.ts';
import type { WithPowertools } from './withPowertools.ts';

// Above this many letters the overview does not scan the stream for reasons on every refresh.
const OVERVIEW_REASON_SCAN_LIMIT = 10_000;

/**
 * The dead-letter actions, each the library call `ingest dlq` makes (shared/stages
 * deadLetterTriage and runReplay) over the replay runtime, whose NATS connection is opened on first
 * use and kept by a warm container.
 */
function consoleLetters(config: ConsoleConfig, sql: Sql, runtime: ReplayRuntime): ConsoleLetters {
  const decode = createLetterDecoder({ routes: createRouteLookup(sql, config.registryCache), decoders: new DecoderCache() });
  return {
    async list(filter, limit) {
      const found = await listLetters(await runtime.store(), filter, limit);
      return { letters: found.letters.map(summarizeLetter), total: found.total, byReason: found.byReason, truncated: found.truncated };
    },
    show: async (id) => showLetter(await runtime.store(), decode, id),
    replay: async ({ filter, dryRun }) => runReplay({ ...filter, dryRun }, await runtime.deps()),
    async purge({ filter, expected }) {
      try {
        return await purgeLetters(await runtime.store(), filter, expected === undefined ? {} : { expected });
      } catch (error) {
        if (error instanceof PurgeCountChangedError) throw new ConsoleConflictError(error.message, { cause: error });
        throw error;
      }
    },
  };
}

/** Letters per subject from the stream's own state (one request), and per reason by a scan while the stream is small. */
async function deadLetterCounts(config: ConsoleConfig, runtime: ReplayRuntime): Promise<DeadLetterCounts> {
  const jsm = await runtime.manager();
  const info = await jsm.streams.info(config.nats.deadLetter.name, { subjects_filter: '>' });
  const total = info.state.messages;
  const byReason = total <= OVERVIEW_REASON_SCAN_LIMIT ? (await listLetters(await runtime.store(), {}, 0)).byReason : undefined;
  return { total, bySubject: info.state.subjects ?? {}, byReason };
}

/** The overview's sources: the figures bucket, the dead-letter stream and the registry's routes. */
function consoleOverview(config: ConsoleConfig, sql: Sql, runtime: ReplayRuntime): ConsoleDeps['overview'] {
  let bucket: FiguresBucket | undefined;
  const figures = async (): Promise<FiguresRead> => {
    bucket ??= openFiguresBucket(await runtime.connection(), {
      bucket: config.nats.figuresBucket,
      ttlMs: figuresTtlMs(config.figuresIntervalMs === 0 ? 5000 : config.figuresIntervalMs),
    });
    const read = await bucket.readAll();
    // Said plainly, or an empty page would look like an idle plane.
    if (read.replicas.length === 0 && config.figuresIntervalMs === 0)
      return {
        ...read,
        problems: [...read.problems, 'BRIDGE_FIGURES_INTERVAL_MS is 0 here: bridges configured alike publish no figures, so the charts stay empty'],
      };
    return read;
  };
  return () =>
    buildOverview({
      figures,
      deadLetters: () => deadLetterCounts(config, runtime),
      routes: () => listRoutes(sql),
      unroutedDeadLetterSubject: config.nats.defaultDeadLetterSubject,
    });
}

/**
 * The console's capabilities over a configuration already loaded: the registry service the
 * registry API writes through (same stream filters and HTTP sink policy, so a route the API would
 * refuse is refused here too), the routes as the data path reads them, and the replay runtime.
 * Tests give their own pool and runtime's pool; the function gives its own.
 */
function consoleDeps(config: ConsoleConfig, httpSinks: HttpSinkPolicy, sql: Sql, assets: ConsoleAssets, logger: Logger, runtime: ReplayRuntime): ConsoleDeps {
  return {
    stage: config.stage,
    auth: { token: config.writeToken, requireAuth: config.requireAuth },
    assets,
    registry: createRegistryService(sql, { ingest: config.nats.ingest.subjects, deadLetter: config.nats.deadLetter.subjects, httpSinks }),
    routes: () => listRoutes(sql),
    figuresIntervalMs: config.figuresIntervalMs,
    overview: consoleOverview(config, sql, runtime),
    letters: consoleLetters(config, sql, runtime),
    logger,
  };
}

/** What the console function serves requests with. */
type ConsoleFunctionDeps = WithPowertools<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> & {
  readonly console: ConsoleDeps;
  readonly logger: Logger;
};

/** Built once per container; `assets` are the page's files, bundled into the handler at build time. */
function buildConsoleDeps(assets: ConsoleAssets): ConsoleFunctionDeps {
  const config = loadConsoleConfig();
  const { logger, sql, powertools } = createFunctionBase('console', config);
  const runtime = createReplayRuntime(config, sql);
  return {
    console: consoleDeps(config, loadHttpSinkPolicy(), sql, assets, logger, runtime),
    logger,
    // One HTTP request per invocation, counted by status like the registry API's.
    powertools: functionTelemetry(powertools, registryApiView),
  };
}

export { buildConsoleDeps, consoleDeps };
export type { ConsoleFunctionDeps };
