import { XRegistryError, type XRegistryErrorType } from '../xregistry/index.ts';
import type { ApiResponse } from './request.ts';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
// Attributes of a document response that travel as xRegistry-* headers.
const DOCUMENT_HEADERS = ['schemaid', 'versionid', 'self', 'xid', 'epoch', 'format', 'isdefault', 'fingerprint', 'numericid'];

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body, null, 2) };
}

function noContent(): ApiResponse {
  return { status: 204, headers: {}, body: '' };
}

/**
 * A schema or version without `$details`: the document itself, its metadata in headers. A JSON
 * document (Avro, JSON Schema) is sent as JSON; a text document stored as a JSON string (Protobuf,
 * XSD) as that text, with its `contenttype`; one stored elsewhere is a 303 to its `schemaurl`
 * (rc4 HTTP binding); one given as `schemabase64` is sent decoded.
 */
function documentResponse(view: Record<string, unknown>, document: unknown): ApiResponse {
  const headers: Record<string, string> = {};
  for (const attribute of DOCUMENT_HEADERS) {
    if (view[attribute] !== undefined) headers[`xRegistry-${attribute}`] = String(view[attribute]);
  }
  // A map attribute travels as one xRegistry-<attribute>-<key> header per entry (HTTP binding).
  const fingerprints = view.fingerprints;
  if (typeof fingerprints === 'object' && fingerprints !== null) {
    for (const [variant, fingerprint] of Object.entries(fingerprints)) headers[`xRegistry-fingerprints-${variant}`] = String(fingerprint);
  }
  const contentType = typeof view.contenttype === 'string' ? view.contenttype : undefined;
  if (document === null || document === undefined) {
    if (typeof view.schemaurl === 'string') return { status: 303, headers: { ...headers, location: view.schemaurl }, body: '' };
    const bytes = typeof view.schemabase64 === 'string' ? Buffer.from(view.schemabase64, 'base64').toString('utf8') : '';
    return { status: 200, headers: { ...headers, 'content-type': contentType ?? 'application/octet-stream' }, body: bytes };
  }
  if (
    typeof document === 'string' &&
    contentType !== 'application/json' &&
    !String(view.format ?? '')
      .toLowerCase()
      .startsWith('avro/')
  ) {
    return { status: 200, headers: { ...headers, 'content-type': contentType ?? 'text/plain; charset=utf-8' }, body: document };
  }
  return { status: 200, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(document, null, 2) };
}

/** An RFC 9457 problem document. */
function problem(error: XRegistryError, instance: string): ApiResponse {
  return { status: error.status, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(error.toProblem(instance), null, 2) };
}

function fail(kind: XRegistryErrorType, detail: string): never {
  throw new XRegistryError(kind, detail);
}

export { documentResponse, fail, json, noContent, problem };
