import { variantFingerprints } from '../avro/index.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import { type Db, versionsSharingFingerprints } from './store.ts';

/**
 * The fingerprints a version is stored and found under: the specification's, plus each
 * canonical-form variant's (Avro implementations disagree on logical types, and a single-object
 * frame carries its writer's own form).
 */
function fingerprintsOf(document: unknown): Readonly<Record<string, string>> {
  return variantFingerprints(document);
}

/**
 * Refuses a version any of whose variant fingerprints another version of the same schema has
 * under any variant, unless the two share the specification's form (then they are one structure
 * and either decodes the frame alike). Otherwise a single-object frame carrying that fingerprint
 * could name either writer. Frames are resolved within the route's schema, so versions of other
 * schemas do not compete.
 */
async function assertFingerprintsUnique(
  db: Db,
  group: string,
  schema: string,
  versionId: string,
  fingerprints: Readonly<Record<string, string>>,
  where: string,
): Promise<void> {
  const spec = fingerprints.spec;
  const mine = new Map<string, string[]>();
  for (const [variant, fingerprint] of Object.entries(fingerprints)) mine.set(fingerprint, [...(mine.get(fingerprint) ?? []), variant]);
  const clashes = (await versionsSharingFingerprints(db, group, schema, [...mine.keys()])).filter(
    (row) => row.versionid !== versionId && row.specfingerprint !== spec,
  );
  const [first] = clashes;
  if (first === undefined) return;
  throw new XRegistryError(
    XRegistryErrorType.conflict,
    `${where}: its ${mine.get(first.fingerprint)!.join('/')} canonical-form fingerprint ${first.fingerprint} equals the ${first.variant} fingerprint of version ${first.versionid}, ` +
      'whose structure differs; a single-object frame carrying it could not tell the two writers apart. Change the schema (for example qualify its named types with a namespace)',
  );
}

export { assertFingerprintsUnique, fingerprintsOf };
