import { DEFAULT_FORMAT, type RegistryService, type VersionInput, XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import { epochValue } from './query.ts';
import type { ApiRequest } from './request.ts';
import { fail } from './responses.ts';

// xRegistry-<attribute> headers a client may send with a document body. The server-computed ones
// a GET returns are accepted back and ignored (rc4: read-only attributes are silently ignored);
// anything else is an attribute this registry does not know.
const WRITABLE_HEADERS = new Set(['format', 'name', 'description', 'versionid', 'ancestorid', 'schemaid', 'contenttype']);
const READ_ONLY_HEADERS = new Set(['self', 'xid', 'isdefault', 'fingerprint', 'numericid']);
const LABEL_PREFIX = 'labels-';
const FINGERPRINTS_PREFIX = 'fingerprints-';
/** What a version's view holds that the server keeps, not the client: left out of a PATCH's base. */
const SERVER_KEPT = new Set([
  'self',
  'shortself',
  'xid',
  'epoch',
  'createdat',
  'modifiedat',
  'isdefault',
  'fingerprint',
  'fingerprints',
  'numericid',
  'schemaid',
  'versionid',
]);

/** Version metadata carried as `xRegistry-<attr>` headers when the body is the document itself. */
function versionInputFromDocument(request: ApiRequest, document: unknown): VersionInput {
  const attributes: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith('xregistry-')) continue;
    const attribute = name.slice('xregistry-'.length);
    if (attribute === 'epoch') attributes.epoch = epochValue(value, 'the xRegistry-epoch header');
    else if (attribute.startsWith(LABEL_PREFIX) && attribute.length > LABEL_PREFIX.length) labels[attribute.slice(LABEL_PREFIX.length)] = value;
    else if (WRITABLE_HEADERS.has(attribute)) attributes[attribute] = value;
    else if (!READ_ONLY_HEADERS.has(attribute) && !attribute.startsWith(FINGERPRINTS_PREFIX)) {
      throw new XRegistryError(XRegistryErrorType.unknownAttribute, `the xRegistry-${attribute} header names no attribute of a version`);
    }
  }
  if (Object.keys(labels).length > 0) attributes.labels = labels;
  return { attributes: { format: DEFAULT_FORMAT, ...attributes }, document };
}

/**
 * A `$details` body: the version's attributes, its document under `schema`. rc4 lets a version
 * give `schemabase64` or `schemaurl` instead (kept as attributes); an Avro version needs `schema`
 * to be one the plane can decode with, which the registry checks per format.
 */
function versionInputFromDetails(body: unknown): VersionInput {
  if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'the body must be a JSON object');
  const { schema, ...attributes } = body;
  if (schema === undefined && attributes.schemabase64 === undefined && attributes.schemaurl === undefined) {
    fail(XRegistryErrorType.invalidData, '"schema" (the document), "schemabase64" or "schemaurl" is required with $details');
  }
  return { attributes, document: schema };
}

/** PATCH of a version's `$details`: the stored attributes and document, with the body merged over them. */
async function patchedVersionInput(service: RegistryService, group: string, schema: string, version: string, body: unknown): Promise<VersionInput> {
  if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'the body must be a JSON object');
  const current = await service.version(group, schema, version, '');
  // Every attribute the version was written with (extensions too), without what the server keeps.
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current.view)) {
    if (!SERVER_KEPT.has(key) && value !== undefined) attributes[key] = value;
  }
  const { schema: document, ...changes } = body;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete attributes[key];
    else attributes[key] = value;
  }
  return { attributes, document: document ?? current.document };
}

export { patchedVersionInput, versionInputFromDetails, versionInputFromDocument };
