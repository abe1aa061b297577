import { XRegistryError, XRegistryErrorType } from '../xregistry/index.ts';

/** A request path split into decoded segments, with a `$details` suffix on the last one taken off. */
type ParsedPath = { readonly segments: readonly string[]; readonly details: boolean };

const DETAILS = '$details';

function badPath(detail: string): never {
  throw new XRegistryError(XRegistryErrorType.badRequest, detail);
}

/**
 * Splits and decodes a raw request path. Nothing is resolved or normalised: a `.` or `..`
 * segment (also percent-encoded) and an empty segment are refused rather than turned into a
 * path to another entity, and invalid percent-encoding is a 400, not a crash.
 */
function parsePath(raw: string): ParsedPath {
  if (!raw.startsWith('/')) badPath(`the path "${raw}" must start with /`);
  const parts = raw.slice(1).split('/');
  // A single trailing slash names the same thing as none.
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length === 1 && parts[0] === '') return { segments: [], details: false };
  const segments = parts.map((part, index) => {
    if (part === '') badPath(`the path "${raw}" has an empty segment (//)`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return badPath(`path segment ${index + 1} ("${part}") is not valid percent-encoded UTF-8`);
    }
    if (decoded === '.' || decoded === '..') badPath(`path segment ${index + 1} is "${decoded}": relative segments are not resolved, name the entity itself`);
    return decoded;
  });
  const last = segments.at(-1)!;
  const details = last.endsWith(DETAILS);
  if (details) segments[segments.length - 1] = last.slice(0, -DETAILS.length);
  if (details && segments.at(-1) === '') throw new XRegistryError(XRegistryErrorType.badDetails, '"$details" must follow the id of a schema or version');
  if (segments.slice(0, -1).some((segment) => segment.includes(DETAILS))) badPath('"$details" may only end the last path segment');
  return { segments, details };
}

export { parsePath };
export type { ParsedPath };
