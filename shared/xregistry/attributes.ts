import { isObject } from '../json/index.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import type { Attributes, EntityCommon, Labels } from './types.ts';

// Attributes the server computes, per entity. A client may send them back (GET, edit, PUT is the
// normal round trip); rc4 says a request to update a read-only attribute is silently ignored, so
// they are accepted and ignored. Anything else not declared is refused as unknown.
const ENTITY_READ_ONLY = ['self', 'shortself', 'xid'] as const;
/** rc4 version attributes only a server sets (the outcome of its own format and compatibility checks). */
const VALIDATION_READ_ONLY = ['formatvalidated', 'formatvalidatedreason', 'compatibilityvalidated', 'compatibilityvalidatedreason'] as const;
const READ_ONLY = {
  // `$schema` names a JSON Schema for the document; rc4 ("Design: JSON $schema keyword") lets a
  // server ignore it and not keep it, which this one does.
  registry: [
    ...ENTITY_READ_ONLY,
    '$schema',
    'schemagroupsurl',
    'schemagroupscount',
    'messagegroupsurl',
    'messagegroupscount',
    'endpointsurl',
    'endpointscount',
  ],
  schemagroup: [...ENTITY_READ_ONLY, 'schemasurl', 'schemascount'],
  messagegroup: [...ENTITY_READ_ONLY, 'messagesurl', 'messagescount'],
  endpoint: [...ENTITY_READ_ONLY, 'messagesurl', 'messagescount'],
  version: [...ENTITY_READ_ONLY, ...VALIDATION_READ_ONLY, 'isdefault', 'fingerprint', 'fingerprints', 'numericid'],
  schema: [...ENTITY_READ_ONLY, ...VALIDATION_READ_ONLY, 'isdefault', 'fingerprint', 'fingerprints', 'numericid', 'metaurl', 'versionsurl', 'versionscount'],
  meta: [...ENTITY_READ_ONLY, 'defaultversionurl', 'readonly'],
  message: ENTITY_READ_ONLY,
  /** Nested objects (ingestion, a sink) have no server attributes. */
  none: [],
} as const satisfies Record<string, readonly string[]>;
/** The attributes every entity (registry, group, resource, version) has and a client may write. */
const COMMON_ATTRIBUTES = ['name', 'description', 'labels', 'epoch', 'createdat', 'modifiedat'] as const;

function requireObject(body: unknown, what: string): Attributes {
  if (!isObject(body)) throw new XRegistryError(XRegistryErrorType.badRequest, `${what}: the body must be a JSON object`);
  return body;
}

/**
 * Refuses attributes the model does not declare (rc4 `unknown_attribute`): `allowed` are the
 * writable ones (entities list COMMON_ATTRIBUTES among them), `readOnly` the server-computed ones
 * the entity may carry back (READ_ONLY).
 */
function rejectUnknown(body: Attributes, allowed: readonly string[], where: string, readOnly: readonly string[] = READ_ONLY.none): void {
  const known = new Set<string>([...allowed, ...readOnly]);
  for (const key of Object.keys(body)) {
    if (!known.has(key)) throw new XRegistryError(XRegistryErrorType.unknownAttribute, `${where}: unknown attribute "${key}"`, { subject: where });
  }
}

// rc4 "Attribute and Extension Naming": lower-case letters, digits and '_', at most 63, not
// starting with a digit.
const ATTRIBUTE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The attributes of an entity whose model allows any extension (`"*"`: schema groups, schemas,
 * message groups, endpoints) that no column holds: everything but `handled` and `readOnly`, kept
 * as written. A null value is dropped (null deletes on PATCH and means absent on PUT).
 */
function extensionAttributes(body: Attributes, handled: readonly string[], readOnly: readonly string[], where: string): Attributes {
  const skip = new Set<string>([...handled, ...readOnly]);
  const extensions: Attributes = {};
  for (const [key, value] of Object.entries(body)) {
    if (skip.has(key) || value === null || value === undefined) continue;
    if (!ATTRIBUTE_NAME.test(key)) {
      throw new XRegistryError(
        XRegistryErrorType.invalidData,
        `${where}: attribute name "${key}" is not valid (lower-case letters, digits and _, at most 63, not starting with a digit)`,
        { subject: where },
      );
    }
    extensions[key] = value;
  }
  return extensions;
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

export { checkEpoch, checkId, COMMON_ATTRIBUTES, extensionAttributes, mergePatch, nextCommon, optionalString, READ_ONLY, rejectUnknown, requireObject };
export type { WriteMode };
