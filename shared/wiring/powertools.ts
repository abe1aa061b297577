import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { FunctionConfig } from '../config/index.ts';
import { describeError, type LogFields, type Logger } from '../logging/index.ts';
import type { FunctionPowertools } from '../middleware/index.ts';
import { FUNCTION_METRICS_NAMESPACE } from '../telemetry/index.ts';

type PowertoolsConfig = Pick<FunctionConfig, 'logLevel' | 'telemetry'>;

const LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/**
 * One function's Powertools Logger and Metrics. Every setting is passed from the configuration
 * (LOG_LEVEL, OTEL_SERVICE_NAME or the Lambda function name); the library still reads a few
 * `POWERTOOLS_*` and Lambda variables itself (POWERTOOLS_DEV pretty-prints and turns metrics off,
 * POWERTOOLS_METRICS_DISABLED, AWS_LAMBDA_LOG_LEVEL caps the level, AWS_REGION and the X-Ray trace
 * id go on each line): that is the library's own reading, outside shared/config on purpose.
 */
function createFunctionPowertools(functionName: string, config: PowertoolsConfig): FunctionPowertools {
  const serviceName = config.telemetry.serviceName;
  const logger = new PowertoolsLogger({ serviceName, logLevel: LEVELS[config.logLevel], persistentKeys: { function: functionName } });
  const metrics = new Metrics({
    namespace: FUNCTION_METRICS_NAMESPACE,
    serviceName,
    defaultDimensions: { function: functionName },
    // Metrics' own warnings (an empty flush, a dropped dimension) become structured lines too.
    logger,
  });
  return { functionName, logger, metrics };
}

/** Fields as Powertools takes them; an `error` is described as the project's logger does (reason, retryable, causes). */
function attributes(fields: LogFields): Record<string, unknown> {
  if (!('error' in fields)) return { ...fields };
  return { ...fields, error: describeError(fields.error) };
}

/**
 * The project's `Logger` (what library code logs through) written by a Powertools Logger, so a
 * function's library lines carry the Lambda context and correlation ids of the invocation. A
 * child keeps the same Powertools Logger and adds its fields to each line: Powertools' own
 * `createChild` would copy the context once, at creation, and miss later invocations'.
 */
function powertoolsBackedLogger(logger: PowertoolsLogger, base: LogFields = {}): Logger {
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void =>
      logger[level](message, attributes({ ...base, ...fields }));
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => powertoolsBackedLogger(logger, { ...base, ...fields }),
  };
}

export { createFunctionPowertools, powertoolsBackedLogger };
export type { PowertoolsConfig };
