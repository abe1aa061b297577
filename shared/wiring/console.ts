import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ConsoleConfig, type HttpSinkPolicy, loadConsoleConfig, loadHttpSinkPolicy } from '../config/index.ts';
import { type ConsoleAssets, type ConsoleDeps, type ConsoleLetters, ConsoleUnavailableError } from '../console/index.ts';
import type { Logger } from '../logging/index.ts';
import { functionTelemetry, registryApiView } from '../middleware/index.ts';
import type { Sql } from '../postgres/index.ts';
import { listRoutes } from '../routes/index.ts';
import { runReplay } from '../stages/index.ts';
import { createRegistryService } from '../xregistry/index.ts';
import { createFunctionBase } from './base.ts';
import { createReplayRuntime, type ReplayRuntime } from './dlqReplay.ts';
import type { WithPowertools } from './withPowertools.ts';

/** A capability whose library is not wired into the console yet: a 503 that says which. */
function notWired(what: string): () => Promise<never> {
  return async () => {
    throw new ConsoleUnavailableError(`${what} is not wired yet`);
  };
}

/**
 * The dead-letter actions. Replay is `ingest dlq replay`'s run exactly (runReplay over the replay
 * runtime, whose NATS connection is opened on first use and kept by a warm container).
 */
function consoleLetters(runtime: ReplayRuntime): ConsoleLetters {
  return {
    list: notWired('the dead-letter list'),
    show: notWired('the dead-letter view'),
    replay: async ({ filter, dryRun }) => runReplay({ ...filter, dryRun }, await runtime.deps()),
    purge: notWired('purge'),
  };
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
    overview: notWired('the overview'),
    letters: consoleLetters(runtime),
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
