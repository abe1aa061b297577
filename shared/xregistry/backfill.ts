import { fingerprintToHex, SchemaDefinitionError, schemaFingerprint } from '../avro/index.ts';
import type { Sql } from '../postgres/index.ts';
import { fingerprintsOf } from './fingerprints.ts';
import { saveFingerprints, versionsWithoutFingerprint, versionsWithoutVariants } from './store.ts';

/**
 * Computes the fingerprints that the SQL migration from the first registry could not
 * (SQL has no CRC-64-AVRO). Idempotent; runs after every migration.
 */
async function backfillFingerprints(sql: Sql): Promise<number> {
  const pending = await versionsWithoutFingerprint(sql);
  for (const version of pending) {
    await sql`
      update xr_schema_versions set fingerprint = ${fingerprintToHex(schemaFingerprint(version.document))}
      where numericid = ${version.numericid}`;
  }
  return pending.length;
}

/**
 * The variant fingerprints of versions stored before migration 00004 made the table for them.
 * Idempotent; runs after every migration. A document no variant can read (none is expected: the
 * registry stores only Avro it has compiled) is left without rows, so its frames stay unmatched
 * by variants but keep matching the specification's fingerprint.
 */
async function backfillVariantFingerprints(sql: Sql): Promise<number> {
  const pending = await versionsWithoutVariants(sql);
  let filled = 0;
  for (const version of pending) {
    let fingerprints: Readonly<Record<string, string>>;
    try {
      fingerprints = fingerprintsOf(version.document);
    } catch (error) {
      if (error instanceof SchemaDefinitionError) continue;
      throw error;
    }
    await saveFingerprints(sql, version.numericid, fingerprints);
    filled++;
  }
  return filled;
}

export { backfillFingerprints, backfillVariantFingerprints };
