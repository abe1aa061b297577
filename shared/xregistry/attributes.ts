import { XRegistryError, XRegistryErrorType } from './errors.ts';
import type { Attributes, EntityCommon, Labels } from './types.ts';

// Attributes the server computes. A client may send them back unchanged (GET, edit, PUT is the
// normal round trip), so they are accepted and ignored rather than refused as unknown.
const SERVER_ATTRIBUTES = new Set(['self', 'shortself', 'xid', 'isdefault', 'fingerprint', 'numericid', 'specversion', 'defaultversionurl']);
const COMMON = ['name', 'description', 'labels', 'epoch', 'createdat', 'modifiedat'] as const;

function isObject(value: unknown): value is Attributes {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(body: unknown, what: string): Attributes {
  if (!isObject(body)) throw new XRegistryError(XRegistryErrorType.badRequest, `${what}: the body must be a JSON object`);
  return body;
}

/** Refuses attributes the model does not declare (rc4 `unknown_attribute`). */
function rejectUnknown(body: Attributes, allowed: readonly string[], where: string): void {
  const known = new Set<string>([...COMMON, ...allowed]);
  for (const key of Object.keys(body)) {
    if (known.has(key) || SERVER_ATTRIBUTES.has(key) || key.endsWith('url') || key.endsWith('count')) continue;
    throw new XRegistryError(XRegistryErrorType.unknownAttribute, `${where}: unknown attribute "${key}"`);
  }
}

function optionalString(body: Attributes, key: string, where: string): string | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: "${key}" must be a string`);
  return value;
}

function readLabels(body: Attributes, where: string): Labels {
  const value = body.labels;
  if (value === undefined || value === null) return {};
  if (!isObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: "labels" must be a map of strings`);
  }
  return value as Labels;
}

function readTimestamp(body: Attributes, key: 'createdat' | 'modifiedat', where: string): Date | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: "${key}" must be an RFC 3339 timestamp`);
  return date;
}

/**
 * Optimistic concurrency: an `epoch` in the body must equal the current one. Absent or null
 * means "no check"; on create it is ignored (rc4).
 */
function checkEpoch(body: Attributes, current: number | undefined, where: string): void {
  const sent = body.epoch;
  if (sent === undefined || sent === null || current === undefined) return;
  if (sent !== current) {
    throw new XRegistryError(XRegistryErrorType.mismatchedEpoch, `${where}: epoch ${String(sent)} does not match the current epoch ${current}`);
  }
}

function checkId(body: Attributes, key: string, id: string, where: string): void {
  const sent = body[key];
  if (sent !== undefined && sent !== id) {
    throw new XRegistryError(XRegistryErrorType.mismatchedId, `${where}: "${key}" is "${String(sent)}" but the URL says "${id}"`);
  }
}

/**
 * Merges a PATCH body over the current attributes: present keys replace, `null` deletes.
 * PUT bodies are used as they are (missing mutable attributes are removed).
 */
function mergePatch(current: Attributes, patch: Attributes): Attributes {
  const merged: Attributes = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

type WriteMode = {
  /** Import: keep epoch and timestamps from the document (a restore), instead of the server's. */
  readonly restore: boolean;
  readonly now: Date;
};

/** The common attributes of a written entity. */
function nextCommon(body: Attributes, existing: EntityCommon | undefined, mode: WriteMode, where: string): EntityCommon {
  const restoredEpoch = typeof body.epoch === 'number' && Number.isInteger(body.epoch) && body.epoch > 0 ? body.epoch : undefined;
  return {
    epoch: mode.restore && restoredEpoch !== undefined ? restoredEpoch : existing === undefined ? 1 : existing.epoch + 1,
    name: optionalString(body, 'name', where),
    description: optionalString(body, 'description', where),
    labels: readLabels(body, where),
    createdat: readTimestamp(body, 'createdat', where) ?? existing?.createdat ?? mode.now,
    modifiedat: (mode.restore ? readTimestamp(body, 'modifiedat', where) : undefined) ?? mode.now,
  };
}

export { checkEpoch, checkId, isObject, mergePatch, nextCommon, optionalString, rejectUnknown, requireObject };
export type { WriteMode };
