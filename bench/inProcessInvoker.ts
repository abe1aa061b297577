import { DecoderCache } from '../shared/stages/index.ts';
import { runRoute } from '../shared/stages/index.ts';
import { runSinkCheck } from '../shared/stages/index.ts';
import { runSinkWrite } from '../shared/stages/index.ts';
import { TargetGuard } from '../shared/stages/index.ts';
import { runValidate } from '../shared/stages/index.ts';
import type { FunctionConfig, SinkConfig } from '../shared/config/index.ts';
import { DELIVERY_RECORD, describeRecordProblems, type FieldKind, RAW_RECORD, ROUTE_RECORD, sinkWriteFields } from '../shared/contracts/index.ts';
import { createPostgresLedger } from '../shared/deliveries/index.ts';
import { Stage } from '../shared/failures/index.ts';
import { createSql } from '../shared/postgres/index.ts';
import { createRouteLookup } from '../shared/routes/index.ts';
import { createSinkSet } from '../shared/sinks/index.ts';
import { InvokeError } from '../bridge/errors.ts';
import type { StageInvoker } from '../bridge/invoker.ts';

/** What the in-process invoker needs: the functions' own configuration (loadFunctionConfig, loadSinkConfig). */
type InProcessInvokerConfig = Pick<FunctionConfig, 'databaseUrl' | 'databasePoolMax' | 'registryCache'> & {
  readonly sinkConfig: SinkConfig;
};

type InProcessInvoker = StageInvoker & {
  /** Ends the database pool the stages share. */
  close(): Promise<void>;
};

/**
 * Runs validate, route and sink-write inside the bridge process: the same pure functions the
 * handlers call, with the same dependencies the handlers build at cold start, but no Lambda
 * transport (no JSON or HTTP between stages; the payload stays the bridge's base64 string). It
 * exists to measure what the transport costs; one pool serves all three stages because they share
 * a process here.
 */
function createInProcessInvoker(config: InProcessInvokerConfig): InProcessInvoker {
  const sql = createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: 'ingest-in-process' });
  const routes = createRouteLookup(sql, config.registryCache);
  // Validate and sink-write share the route lookup and decoders here, as they share a process.
  const decodeDeps = { routes, decoders: new DecoderCache() };
  // The sinks shared/wiring/sinkWrite.ts builds for the sink-write function; the NATS one's connection ends with the process.
  const sinks = createSinkSet(sql, config.sinkConfig, 'ingest-sink-write-in-process');
  const ledger = createPostgresLedger(sql);
  const guard = new TargetGuard(config.sinkConfig.isolation);
  const sinkWriteDeps = { ...decodeDeps, sinks, ledger, guard };

  // The handlers' middleware rejects malformed requests and Lambda reports any throw as a
  // FunctionError, which the Lambda invoker turns into a retryable InvokeError; do the same here
  // so the bridge settles records exactly as it would against real functions.
  async function call<Req, Res>(stage: Stage, required: Readonly<Record<string, FieldKind>>, request: Req, run: (request: Req) => Promise<Res>): Promise<Res> {
    const problems = describeRecordProblems(request, required);
    if (problems.length > 0) throw new InvokeError(stage, `in-process ${stage}`, `bad request: ${problems.join('; ')}`);
    try {
      return await run(request);
    } catch (error) {
      throw new InvokeError(stage, `in-process ${stage}`, `function error: ${(error as Error).message}`, { cause: error });
    }
  }

  return {
    validate: (request) => call(Stage.validate, RAW_RECORD, request, (r) => runValidate(r, decodeDeps)),
    route: (request) => call(Stage.route, ROUTE_RECORD, request, (r) => runRoute(r, { routes })),
    sinkWrite: (request) => call(Stage.sinkWrite, sinkWriteFields(request), request, (r) => runSinkWrite(r, sinkWriteDeps)),
    checkDelivery: (request) => call(Stage.sinkWrite, DELIVERY_RECORD, request, (r) => runSinkCheck(r, { sinks, ledger })),
    close: () => sql.end({ timeout: 5 }),
  };
}

export { createInProcessInvoker };
export type { InProcessInvoker, InProcessInvokerConfig };
