// Node socket errors and postgres.js client codes that mean "the server was not reachable".
const TRANSIENT_CLIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

// SQLSTATE classes and codes that a retry can fix: connection exceptions, shutdowns,
// resource exhaustion, serialization failures and deadlocks.
const TRANSIENT_SQLSTATE_PREFIXES = ['08', '53', '57P0', '58'];
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014']);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isTransientPostgresError(error: unknown): boolean {
  const code = codeOf(error);
  if (code === undefined) return false;
  if (TRANSIENT_CLIENT_CODES.has(code) || TRANSIENT_SQLSTATES.has(code)) return true;
  return TRANSIENT_SQLSTATE_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/** Data errors (class 22) and integrity errors (class 23) belong to one row, not to the batch. */
function isRowDataError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

function isUndefinedTable(error: unknown): boolean {
  return codeOf(error) === '42P01';
}

export { isTransientPostgresError, isRowDataError, isUndefinedTable };
