import type { HttpSinkTarget } from '../types.ts';
import { nonPublicReason } from './addresses.ts';
import { isHostAllowed } from '../../names/index.ts';
import { type Json, type StoreChecks, unknownAttributeProblem } from '../targetChecks.ts';

const HTTP_TARGET_ATTRIBUTES = ['kind', 'url', 'mode', 'timeoutms'] as const;
const MAX_URL_LENGTH = 2048;
/** Bounds of a route's `timeoutms`: below sink-write's own 25 s timeout. */
const TIMEOUT_BOUNDS = { min: 100, max: 20_000 } as const;

/** The URL's shape: http(s), no credentials (secrets never live in the registry), no fragment. */
function urlProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length > MAX_URL_LENGTH) return `ingestion.sink.url must be a URL of at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `ingestion.sink.url "${text}" is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'ingestion.sink.url must be http:// or https://';
  if (url.username !== '' || url.password !== '') {
    return 'ingestion.sink.url must not carry credentials; auth headers come from HTTP_SINK_AUTH_HEADERS in the sink-write configuration';
  }
  if (url.hash !== '') return 'ingestion.sink.url must not have a #fragment';
  return undefined;
}

/** The deployment's rules: an allowed host, and no literal private address unless private networks are allowed. */
function policyProblem(url: URL, store: StoreChecks): string | undefined {
  const policy = store.http;
  if (policy === undefined || policy.allowedHosts.length === 0) {
    return 'HTTP sinks are not enabled here: HTTP_SINK_ALLOWED_HOSTS is not set where routes are stored';
  }
  if (!isHostAllowed(url, policy.allowedHosts)) {
    return `ingestion.sink.url: host ${url.host} is not in HTTP_SINK_ALLOWED_HOSTS (${policy.allowedHosts.join(', ')})`;
  }
  // Names are resolved and checked before every request; a literal address can be refused now.
  const literal = /^\[.*\]$|^[\d.]+$/.test(url.hostname) ? nonPublicReason(url.hostname) : undefined;
  if (literal !== undefined && !policy.allowPrivateNetworks) {
    return `ingestion.sink.url: ${url.hostname} is a ${literal} address; HTTP_SINK_ALLOW_PRIVATE_NETWORKS is off`;
  }
  return undefined;
}

/** `{kind: "http", url, mode, timeoutms?}`, or what is wrong with it. */
function parseHttpTarget(value: Json, store: StoreChecks | undefined): HttpSinkTarget | string {
  const unknown = unknownAttributeProblem(value, HTTP_TARGET_ATTRIBUTES);
  if (unknown !== undefined) return unknown;
  const { url, mode, timeoutms } = value;
  const shape = urlProblem(url);
  if (shape !== undefined) return shape;
  if (mode !== 'batch' && mode !== 'event') return 'ingestion.sink.mode must be "batch" (one POST {"events": [...]}) or "event" (one POST per event)';
  if (
    timeoutms !== undefined &&
    (typeof timeoutms !== 'number' || !Number.isInteger(timeoutms) || timeoutms < TIMEOUT_BOUNDS.min || timeoutms > TIMEOUT_BOUNDS.max)
  ) {
    return `ingestion.sink.timeoutms must be an integer from ${TIMEOUT_BOUNDS.min} to ${TIMEOUT_BOUNDS.max}`;
  }
  if (store !== undefined) {
    const problem = policyProblem(new URL(url as string), store);
    if (problem !== undefined) return problem;
  }
  return { kind: 'http', url: url as string, mode, ...(timeoutms === undefined ? {} : { timeoutms }) };
}

export { HTTP_TARGET_ATTRIBUTES, parseHttpTarget };
