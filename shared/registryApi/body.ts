import { jsonDepth, XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';
import type { ApiRequest } from './request.ts';

/** Largest body accepted, well below API Gateway's 10 MB; an import of a large registry fits. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Deepest JSON nesting accepted; a registry document wraps a schema in about eight levels. */
const MAX_BODY_DEPTH = 100;

/** `application/json`, or a `+json` type such as `application/schema+json`, with any parameters. */
function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType?.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
}

/**
 * The request's JSON body: refused when missing (400 missing_body), too large (413), not declared
 * JSON (415) or not JSON (400 parsing_data), and when nested deeper than anything the registry
 * stores, before any code walks it recursively.
 */
function readJsonBody(request: ApiRequest): unknown {
  const body = request.body ?? '';
  if (body.trim() === '') throw new XRegistryError(XRegistryErrorType.missingBody, `${request.method} ${request.path} needs a JSON body`);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_BODY_BYTES)
    throw new XRegistryError(XRegistryErrorType.contentTooLarge, `the body is ${bytes} bytes; at most ${MAX_BODY_BYTES} are accepted`);
  const contentType = request.headers['content-type'];
  if (!isJsonMediaType(contentType)) {
    throw new XRegistryError(
      XRegistryErrorType.unsupportedMediaType,
      `the body must be sent as Content-Type: application/json${contentType === undefined ? ' (none was given)' : `, not ${contentType}`}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch (error) {
    throw new XRegistryError(XRegistryErrorType.parsingData, `the body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (jsonDepth(parsed, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw new XRegistryError(XRegistryErrorType.parsingData, `the body nests more than ${MAX_BODY_DEPTH} levels deep`);
  }
  return parsed;
}

export { MAX_BODY_BYTES, readJsonBody };
