import { COMPATIBILITY_MODES, type CompatibilityMode } from '../avro/index.ts';
import { CcompatCode, CcompatError } from './ccompatErrors.ts';
import { isXRegistryId } from './ids.ts';

/** The schema group that holds the schemas of subjects no route names. */
const CCOMPAT_GROUP = 'ccompat';
/** TopicNameStrategy's suffix for a record value's subject: the NATS subject plays the topic. */
const VALUE_SUFFIX = '-value';
/** Confluent versions are 1 … 2^31-1. */
const MAX_VERSION = 2_147_483_647;

/** Where a Confluent subject lives in the registry: a schema resource (group and schema ids). */
type SubjectTarget = { readonly group: string; readonly schema: string; readonly route: string | undefined };

/** The subject a route's schema has: its NATS subject plus `-value`, as TopicNameStrategy names a topic's value schema. */
function subjectOfRoute(natsSubject: string): string {
  return `${natsSubject}${VALUE_SUFFIX}`;
}

/** The NATS subject a `<subject>-value` name would belong to, or undefined without the suffix. */
function routeSubjectOf(subject: string): string | undefined {
  return subject.endsWith(VALUE_SUFFIX) && subject.length > VALUE_SUFFIX.length ? subject.slice(0, -VALUE_SUFFIX.length) : undefined;
}

/**
 * Where a subject lives, given the schema a route reads (`/schemagroups/g/schemas/s[/versions/v]`
 * by NATS subject). A `<route subject>-value` is the schema that route reads, whichever group
 * holds it; any other subject is the schema of that id in the `ccompat` group. A name that is no
 * route's and cannot be an xRegistry id has no place: undefined.
 */
function subjectTarget(subject: string, routeSchemaOf: (natsSubject: string) => { group: string; schema: string } | undefined): SubjectTarget | undefined {
  const natsSubject = routeSubjectOf(subject);
  const read = natsSubject === undefined ? undefined : routeSchemaOf(natsSubject);
  if (read !== undefined) return { group: read.group, schema: read.schema, route: natsSubject };
  return isXRegistryId(subject) ? { group: CCOMPAT_GROUP, schema: subject, route: undefined } : undefined;
}

/** A version as a Confluent path names it: a number, or the newest one. */
type VersionSelector = { readonly kind: 'latest' } | { readonly kind: 'number'; readonly version: number };

/** `latest`, `-1` (Confluent's other spelling of it) or 1 … 2^31-1; anything else is 42202. */
function parseVersion(raw: string): VersionSelector {
  if (raw === 'latest' || raw === '-1') return { kind: 'latest' };
  if (/^[0-9]{1,10}$/.test(raw)) {
    const version = Number(raw);
    if (version >= 1 && version <= MAX_VERSION) return { kind: 'number', version };
  }
  throw new CcompatError(CcompatCode.invalidVersion, `version "${raw}" is not valid: use "latest" or a number from 1 to ${MAX_VERSION}`);
}

/**
 * The Confluent version number of an xRegistry version id, or undefined for an id that is not a
 * plain number (`beta`, `01`): such versions are not visible through the ccompat API.
 */
function versionNumberOf(versionId: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(versionId)) return undefined;
  const version = Number(versionId);
  return version <= MAX_VERSION ? version : undefined;
}

/** Confluent's level names are the xRegistry compatibility values in upper case. */
function levelOf(compatibility: string): string {
  return compatibility.toUpperCase();
}

/** An xRegistry compatibility value from a Confluent level (any case); anything else is 42203. */
function compatibilityOfLevel(level: unknown): CompatibilityMode {
  const value = typeof level === 'string' ? level.toLowerCase() : undefined;
  if (value !== undefined && (COMPATIBILITY_MODES as readonly string[]).includes(value)) return value as CompatibilityMode;
  throw new CcompatError(
    CcompatCode.invalidCompatibilityLevel,
    `compatibility level ${JSON.stringify(level)} is not one of ${COMPATIBILITY_MODES.map(levelOf).join(', ')}`,
  );
}

export { CCOMPAT_GROUP, compatibilityOfLevel, levelOf, parseVersion, routeSubjectOf, subjectOfRoute, subjectTarget, VALUE_SUFFIX, versionNumberOf };
export type { SubjectTarget, VersionSelector };
