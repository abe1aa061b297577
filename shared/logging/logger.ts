/** The levels a logger writes at; LOG_LEVEL picks one. */
type LogLevel = 'debug' | 'info' | 'warn' | 'error';

type LogFields = Readonly<Record<string, unknown>>;

type Logger = {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
};

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** An error as a log field: name, message, the failure's reason and retryable, and its causes. */
function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const described: Record<string, unknown> = { name: error.name, message: error.message };
  if ('reason' in error) described.reason = error.reason;
  if ('retryable' in error) described.retryable = error.retryable;
  if (error.cause !== undefined) described.cause = describeError(error.cause);
  return described;
}

/** One JSON object per line, so log shippers need no parsing rules. */
function createLogger(level: LogLevel, base: LogFields = {}): Logger {
  const emit = (at: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[at] < RANK[level]) return;
    const line: Record<string, unknown> = { level: at, time: new Date().toISOString(), msg: message, ...base };
    for (const [key, value] of Object.entries(fields ?? {})) line[key] = key === 'error' ? describeError(value) : value;
    (at === 'error' || at === 'warn' ? process.stderr : process.stdout).write(`${JSON.stringify(line)}\n`);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}

export { createLogger, describeError };
export type { Logger, LogFields, LogLevel };
