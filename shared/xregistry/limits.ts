import { XRegistryError, XRegistryErrorType } from './errors.ts';

/**
 * Bounds on what the registry stores. Avro libraries walk a schema recursively and compile one
 * function per record, so an unbounded document ends in "Maximum call stack size exceeded" or
 * "Too many parameters in function definition"; these limits are far above real schemas and
 * say plainly what is too big.
 */
const SCHEMA_LIMITS = {
  /** Serialized size of one schema document. */
  bytes: 256 * 1024,
  /** JSON nesting of one schema document (a record inside a record costs about three levels). */
  depth: 64,
} as const;

/**
 * How deeply `value` nests, counting each object or array as one level; stops counting past
 * `limit`. Iterative, so a hostile document cannot exhaust the stack while being measured.
 */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** Refuses a schema document deeper or larger than SCHEMA_LIMITS, before anything parses it. */
function checkSchemaLimits(document: unknown, where: string): void {
  const depth = jsonDepth(document, SCHEMA_LIMITS.depth);
  if (depth > SCHEMA_LIMITS.depth) {
    throw new XRegistryError(
      XRegistryErrorType.invalidData,
      `${where}: the schema nests more than ${SCHEMA_LIMITS.depth} levels deep; at most ${SCHEMA_LIMITS.depth} are allowed`,
      { subject: where },
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(document) ?? '');
  if (bytes > SCHEMA_LIMITS.bytes) {
    throw new XRegistryError(XRegistryErrorType.invalidData, `${where}: the schema is ${bytes} bytes; at most ${SCHEMA_LIMITS.bytes} are allowed`, {
      subject: where,
    });
  }
}

export { checkSchemaLimits, jsonDepth, SCHEMA_LIMITS };
