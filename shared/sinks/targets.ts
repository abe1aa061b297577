import { createHash } from 'node:crypto';
import type { SinkTarget } from './types.ts';
import { HTTP_TARGET_ATTRIBUTES, parseHttpTarget } from './http/target.ts';
import { NATS_TARGET_ATTRIBUTES, parseNatsTarget } from './nats/target.ts';
import { parsePostgresTarget, POSTGRES_TARGET_ATTRIBUTES } from './postgres/target.ts';
import type { Json, StoreChecks } from './targetChecks.ts';
import { isObject } from '../json/index.ts';

type ParsedSinkTarget = { readonly ok: true; readonly target: SinkTarget } | { readonly ok: false; readonly problem: string };

type KindRules = {
  readonly attributes: readonly string[];
  readonly parse: (value: Json, store: StoreChecks | undefined) => SinkTarget | string;
};

// The one table of sink kinds the registry knows. A new kind adds its parser here.
const KINDS: Readonly<Record<SinkTarget['kind'], KindRules>> = {
  postgres: { attributes: POSTGRES_TARGET_ATTRIBUTES, parse: parsePostgresTarget },
  http: { attributes: HTTP_TARGET_ATTRIBUTES, parse: parseHttpTarget },
  nats: { attributes: NATS_TARGET_ATTRIBUTES, parse: parseNatsTarget },
};

const SINK_KINDS = Object.keys(KINDS) as readonly SinkTarget['kind'][];

function rulesFor(kind: unknown): KindRules | undefined {
  return typeof kind === 'string' && Object.hasOwn(KINDS, kind) ? KINDS[kind as SinkTarget['kind']] : undefined;
}

/** The attributes a sink of `kind` may have, or undefined for an unknown kind. */
function sinkTargetAttributes(kind: unknown): readonly string[] | undefined {
  return rulesFor(kind)?.attributes;
}

/**
 * Validates a sink target. With `store` (a route being stored) every rule applies: the deployment's
 * streams and HTTP allow-list, the route's schema for mapped columns. Without it (a stored route
 * read back) only the target's own shape is checked, so a row edited by hand is still refused.
 */
function parseSinkTarget(value: unknown, store?: StoreChecks): ParsedSinkTarget {
  if (!isObject(value)) return { ok: false, problem: 'ingestion.sink must be an object with a "kind"' };
  const rules = rulesFor(value.kind);
  if (rules === undefined) return { ok: false, problem: `unknown sink "${String(value.kind)}" (ingestion.sink.kind must be one of ${SINK_KINDS.join(', ')})` };
  const parsed = rules.parse(value, store);
  return typeof parsed === 'string' ? { ok: false, problem: parsed } : { ok: true, target: parsed };
}

/** How many sinks one route may fan out to. */
const MAX_ROUTE_SINKS = 8;

/**
 * An HTTP target's place without its query string, which may carry a key: the query is replaced
 * by a short digest, so targets that differ only there stay apart and no secret reaches delivery
 * state, dead letters or logs.
 */
function httpPlace(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'invalid-url';
  }
  const query = parsed.search === '' ? '' : `?sha256=${createHash('sha256').update(parsed.search).digest('hex').slice(0, 12)}`;
  return `${parsed.origin}${parsed.pathname}${query}`;
}

/**
 * A target's identity for per-sink delivery state, circuits and concurrency limits: what it writes
 * to, not how (an HTTP timeout or a column mapping may change without the events already
 * delivered there counting as undelivered).
 */
function sinkIdentity(target: SinkTarget): string {
  switch (target.kind) {
    case 'postgres':
      return `postgres:${target.table}`;
    case 'http':
      return `http:${httpPlace(target.url)}`;
    case 'nats':
      return `nats:${target.subject}`;
  }
}

/**
 * The sink entries of a stored or submitted ingestion attribute, in order: `sinks` (fan-out) or the
 * single `sink`. Shapes are not checked here.
 */
function ingestionSinkEntries(ingestion: unknown): unknown[] {
  if (!isObject(ingestion)) return [];
  if (Array.isArray(ingestion.sinks)) return ingestion.sinks;
  return ingestion.sink === undefined ? [] : [ingestion.sink];
}

/** One line for listings (`ingest registry list`): `postgres:metric_events`, `http/batch:https://…`, `nats:enriched.cpu`. */
function describeSinkTarget(value: unknown): string {
  const parsed = parseSinkTarget(value);
  if (!parsed.ok) return `invalid (${parsed.problem})`;
  const target = parsed.target;
  switch (target.kind) {
    case 'postgres':
      return `postgres:${target.table}${target.columns === undefined ? '' : `(${Object.keys(target.columns).join(',')})`}`;
    case 'http':
      return `http/${target.mode}:${target.url}`;
    case 'nats':
      return `nats:${target.subject}`;
  }
}

export { describeSinkTarget, ingestionSinkEntries, MAX_ROUTE_SINKS, parseSinkTarget, SINK_KINDS, sinkIdentity, sinkTargetAttributes };
export type { ParsedSinkTarget, StoreChecks };
