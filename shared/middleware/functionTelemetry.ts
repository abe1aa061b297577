import { performance } from 'node:perf_hooks';
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj, Request } from '@middy/core';
import { describeError } from '../logging/index.ts';
import { FUNCTION_METRICS, type FunctionMetricKey, REASON_DIMENSION } from '../telemetry/index.ts';
import type { InvocationTally, InvocationView } from './invocationViews.ts';

/** One function's Powertools Logger and Metrics, built once per container (shared/wiring). */
type FunctionPowertools = {
  readonly functionName: string;
  readonly logger: PowertoolsLogger;
  readonly metrics: Metrics;
};

/** The shape Powertools' middlewares are written against; middy's request is that shape. */
type PowertoolsMiddleware = {
  before?: (request: never) => unknown;
  after?: (request: never) => unknown;
  onError?: (request: never) => unknown;
};

const call = async (step: ((request: never) => unknown) | undefined, request: Request): Promise<void> => {
  await step?.(request as never);
};

/** Puts one invocation's counts into the Metrics instance; the by-reason copies go out as documents of their own. */
function publishTally(metrics: Metrics, tally: InvocationTally): void {
  for (const [key, value] of Object.entries(tally.counts) as [FunctionMetricKey, number][]) {
    metrics.addMetric(FUNCTION_METRICS[key].name, FUNCTION_METRICS[key].unit, value);
  }
  for (const [key, reasons] of Object.entries(tally.byReason) as [FunctionMetricKey, Record<string, number>][]) {
    // One EMF document holds one set of dimension values, so each reason is a document of its own.
    for (const [reason, value] of Object.entries(reasons)) {
      metrics.singleMetric().addDimension(REASON_DIMENSION, reason).addMetric(FUNCTION_METRICS[key].name, FUNCTION_METRICS[key].unit, value);
    }
  }
}

/** The fields of the invocation's log line: the counts under the metrics' own names, reasons when any failed. */
function tallyFields(tally: InvocationTally, durationMs: number): Record<string, unknown> {
  const fields: Record<string, unknown> = { durationMs: Math.round(durationMs * 1000) / 1000 };
  for (const [key, value] of Object.entries(tally.counts) as [FunctionMetricKey, number][]) fields[FUNCTION_METRICS[key].name] = value;
  const reasons = Object.assign({}, ...Object.values(tally.byReason)) as Record<string, number>;
  if (Object.keys(reasons).length > 0) fields.reasons = reasons;
  return fields;
}

const hasFailures = (tally: InvocationTally): boolean => Object.values(tally.byReason).some((reasons) => Object.keys(reasons).length > 0);

/**
 * Powertools for one function, as one middleware (the first `.use` of its handler, so it times and
 * sees everything after it):
 * - before: Logger's `injectLambdaContext` (cold start, request id, function name and memory on
 *   every line, keys reset after each invocation), then the view's correlation id and keys;
 * - after / onError: the view's counts and the duration as EMF, one line `invocation answered` (info
 *   when records failed, else debug) or `invocation failed` (error), then Metrics' `logMetrics`
 *   flushes the EMF document.
 * Telemetry never fails an invocation: a counting or publishing error is logged and dropped.
 */
function functionTelemetry<TEvent, TResult>(powertools: FunctionPowertools, view: InvocationView): MiddlewareObj<TEvent, TResult> {
  const { logger, metrics } = powertools;
  const context: PowertoolsMiddleware = injectLambdaContext(logger, { resetKeys: true });
  const flush: PowertoolsMiddleware = logMetrics(metrics);
  // Per request, not per middleware: serverless-offline runs invocations of one container side by side.
  const startedAt = new WeakMap<object, number>();

  const settle = async (request: Request<TEvent, TResult>, failed: boolean): Promise<void> => {
    const durationMs = performance.now() - (startedAt.get(request) ?? performance.now());
    let tally: InvocationTally | undefined;
    try {
      // The duration first: every invocation's document has it, whatever the counting does.
      metrics.addMetric(FUNCTION_METRICS.duration.name, FUNCTION_METRICS.duration.unit, durationMs);
      tally = view.tally(request.event, failed ? undefined : request.response);
      publishTally(metrics, tally);
    } catch (error) {
      logger.warn('function metrics not recorded', { error: describeError(error) });
    }
    const fields = tally === undefined ? { durationMs } : tallyFields(tally, durationMs);
    if (failed) logger.error('invocation failed', { ...fields, error: describeError(request.error) });
    else if (tally !== undefined && hasFailures(tally)) logger.info('invocation answered', fields);
    else logger.debug('invocation answered', fields);
    try {
      await call(failed ? context.onError : context.after, request);
      await call(failed ? flush.onError : flush.after, request);
    } catch (error) {
      metrics.clearMetrics();
      logger.warn('function metrics not published', { error: describeError(error) });
    }
  };

  return {
    async before(request) {
      startedAt.set(request, performance.now());
      try {
        await call(flush.before, request);
        await call(context.before, request);
        const correlation = view.correlation(request.event, request.context.awsRequestId);
        if (correlation.id !== undefined) logger.setCorrelationId(correlation.id);
        logger.appendKeys(correlation.keys);
      } catch (error) {
        logger.warn('correlation keys not set', { error: describeError(error) });
      }
    },
    after: (request) => settle(request, false),
    onError: (request) => settle(request, true),
  };
}

export { functionTelemetry };
export type { FunctionPowertools };
