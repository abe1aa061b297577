import { XRegistryError, XRegistryErrorType } from './errors.ts';

// rc4: 1-128 characters from RFC 3986 "unreserved" plus ':' and '@'; the first one is a letter,
// digit or '_'.
const ID = /^[A-Za-z0-9_][A-Za-z0-9._~:@-]{0,127}$/;

function isXRegistryId(id: string): boolean {
  return ID.test(id);
}

function assertId(id: string, what: string): string {
  if (!isXRegistryId(id)) {
    throw new XRegistryError(
      XRegistryErrorType.invalidData,
      `${what} "${id}" is not a valid id (1-128 of A-Z a-z 0-9 . _ ~ : @ -, starting with a letter, digit or _)`,
    );
  }
  return id;
}

/**
 * rc4: ids are unique case-insensitively within their parent, while look-ups stay case-sensitive.
 * So creating `Metrics` beside `metrics` is refused; writing `metrics` again is an update.
 */
function assertUniqueIgnoringCase(siblings: Iterable<string>, id: string, where: string): void {
  const folded = id.toLowerCase();
  for (const sibling of siblings) {
    if (sibling !== id && sibling.toLowerCase() === folded) {
      throw new XRegistryError(
        XRegistryErrorType.conflict,
        `${where}: "${sibling}" already exists there, and ids are unique regardless of case; use "${sibling}" or another id`,
        { subject: where },
      );
    }
  }
}

/**
 * The entity named `id` among its siblings. When there is none, a write would create it, so `id`
 * must not differ from a sibling's only by case.
 */
function findSibling<T>(siblings: readonly T[], idOf: (row: T) => string, id: string, where: string): T | undefined {
  const existing = siblings.find((row) => idOf(row) === id);
  if (existing === undefined) assertUniqueIgnoringCase(siblings.map(idOf), id, where);
  return existing;
}

export { assertId, assertUniqueIgnoringCase, findSibling, isXRegistryId };
