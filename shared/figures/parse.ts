import { isObject, type JsonObject } from '../json/index.ts';
import { FIGURES_VERSION, type FiguresPoint, type ReplicaFigures, type RouteCounts } from './types.ts';

/** A stored value that is not a figures document this code reads: skipped by readers, never thrown past them. */
class FiguresDocumentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FiguresDocumentError';
  }
}

const COUNTS = ['committed', 'duplicates', 'deadLettered', 'retried', 'received'] as const;
const NULLABLE = ['latencyP50Ms', 'latencyP95Ms', 'pending', 'ackPending'] as const;
const ROUTE_COUNTS = ['committed', 'duplicates', 'deadLettered', 'retried'] as const;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function checkPoint(value: unknown, at: string): asserts value is FiguresPoint {
  if (!isObject(value) || !isCount(value.t)) throw new FiguresDocumentError(`${at} is not a point with a time t`);
  for (const name of COUNTS) if (!isCount(value[name])) throw new FiguresDocumentError(`${at}.${name} is not a count`);
  for (const name of NULLABLE) if (value[name] !== null && !isCount(value[name])) throw new FiguresDocumentError(`${at}.${name} is neither a number nor null`);
}

function checkRouteCounts(value: unknown, at: string): asserts value is RouteCounts {
  if (!isObject(value)) throw new FiguresDocumentError(`${at} is not an object`);
  for (const name of ROUTE_COUNTS) if (!isCount(value[name])) throw new FiguresDocumentError(`${at}.${name} is not a count`);
}

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** Checks a stored value's shape field by field: another writer (or an older bridge) may have put anything there. */
function parseReplicaFigures(bytes: Uint8Array | string): ReplicaFigures {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new FiguresDocumentError('not JSON', { cause: error });
  }
  if (!isObject(value)) throw new FiguresDocumentError('not a JSON object');
  if (value.version !== FIGURES_VERSION) throw new FiguresDocumentError(`version ${JSON.stringify(value.version)}, this reader knows ${FIGURES_VERSION}`);
  if (typeof value.replica !== 'string' || value.replica === '') throw new FiguresDocumentError('no replica id');
  if (!isIsoTime(value.startedAt) || !isIsoTime(value.publishedAt)) throw new FiguresDocumentError('startedAt or publishedAt is not a time');
  if (!isCount(value.intervalMs) || value.intervalMs === 0) throw new FiguresDocumentError('intervalMs is not a positive number');
  if (!Array.isArray(value.series)) throw new FiguresDocumentError('series is not a list');
  for (const [index, entry] of value.series.entries()) checkPoint(entry, `series[${index}]`);
  if (!isObject(value.routes)) throw new FiguresDocumentError('routes is not an object');
  for (const [route, figures] of Object.entries(value.routes)) {
    checkRouteCounts(figures, `routes.${route}`);
    checkRouteCounts((figures as JsonObject).latest, `routes.${route}.latest`);
  }
  if (!isObject(value.circuits)) throw new FiguresDocumentError('circuits is not an object');
  for (const [sink, state] of Object.entries(value.circuits)) {
    if (state !== 'open' && state !== 'closed') throw new FiguresDocumentError(`circuits.${sink} is neither open nor closed`);
  }
  return value as ReplicaFigures;
}

export { FiguresDocumentError, parseReplicaFigures };
