import { redactUrl } from '../shared/logging/index.ts';

/** The CLI could not reach or log in to PostgreSQL; names DATABASE_URL, never its password. */
class DatabaseConnectionError extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseConnectionError';
    this.retryable = retryable;
  }
}

type ErrorFields = { name?: unknown; code?: unknown; hostname?: unknown; address?: unknown; port?: unknown; message?: unknown };

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// postgres.js's own codes for a connection it could not open or lost.
const POSTGRES_CLIENT_CODES = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);

/** What went wrong, in words, or undefined when the error is not about reaching or logging in to PostgreSQL. */
function databaseProblem(error: ErrorFields, url: URL): { what: string; retryable: boolean } | undefined {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code === undefined) return undefined;
  if (error.name === 'PostgresError') {
    if (code.startsWith('28')) return { what: 'refused the login', retryable: false };
    if (code === '3D000') return { what: 'has no such database', retryable: false };
    if (code.startsWith('08') || code.startsWith('57P0') || code === '53300') return { what: 'is not accepting connections', retryable: true };
    return undefined;
  }
  if (POSTGRES_CLIENT_CODES.has(code)) return { what: 'did not answer', retryable: true };
  if (!SOCKET_CODES.has(code)) return undefined;
  // A socket error from the database's own host or port, not from NATS or an HTTP call.
  const port = url.port === '' ? '5432' : url.port;
  const ours = error.hostname === url.hostname || String(error.port) === port;
  if (!ours) return undefined;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { what: 'has a host name that does not resolve', retryable: code === 'EAI_AGAIN' };
  if (code === 'ECONNREFUSED') return { what: 'refused the connection (is PostgreSQL running there?)', retryable: true };
  return { what: 'is unreachable', retryable: true };
}

/**
 * The error as the CLI reports it: a failure to reach or log in to PostgreSQL names DATABASE_URL
 * with its password masked; anything else is returned as it is. (NATS connection failures are
 * already worded by shared/nats, with NATS_URL's password masked.)
 */
function describeDatabaseError(error: unknown, databaseUrl: string): unknown {
  if (typeof error !== 'object' || error === null) return error;
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return error;
  }
  const problem = databaseProblem(error as ErrorFields, url);
  if (problem === undefined) return error;
  const password = decodeURIComponent(url.password);
  const original = String((error as ErrorFields).message ?? '');
  // postgres.js does not put the password in its messages; masking it anyway costs nothing.
  const detail = password === '' ? original : original.split(password).join('***');
  return new DatabaseConnectionError(`the database at DATABASE_URL=${redactUrl(databaseUrl)} ${problem.what}: ${detail}`, problem.retryable, { cause: error });
}

export { DatabaseConnectionError, describeDatabaseError };
