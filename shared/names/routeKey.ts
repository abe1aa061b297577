import { FailureReason, IngestError, type Stage } from '../failures/index.ts';
import { isPublishSubject } from './subjects.ts';

/** The identity of a route: `metrics.cpu.usage.v1` is type `metrics.cpu.usage`, version `v1`. */
type RouteKey = { readonly type: string; readonly version: string };

const VERSION = /^v[0-9]{1,9}$/;

function isVersion(token: string): boolean {
  return VERSION.test(token);
}

/**
 * The last subject token is the version (`v1`), everything before it is the type.
 * Subjects that do not have that shape are a permanent failure of the event, never a crash.
 */
function routeKeyFromSubject(subject: string, stage: Stage): RouteKey {
  const tokens = isPublishSubject(subject) ? subject.split('.') : [];
  const version = tokens.at(-1);
  if (tokens.length < 2 || version === undefined || !isVersion(version)) {
    throw new IngestError(stage, FailureReason.invalidSubject, `subject "${subject}" is not <type>.<version> (for example metrics.cpu.usage.v1)`, {
      retryable: false,
    });
  }
  return { type: tokens.slice(0, -1).join('.'), version };
}

/** `type.version`, as dead letters store it and log lines print it; an absent key stays absent. */
function formatRouteKey(key: RouteKey): string;
function formatRouteKey(key: RouteKey | null): string | null;
function formatRouteKey(key: RouteKey | null): string | null {
  return key === null ? null : `${key.type}.${key.version}`;
}

export { routeKeyFromSubject, formatRouteKey, isVersion };
export type { RouteKey };
