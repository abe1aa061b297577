import { fingerprintToHex, schemaFingerprint } from '../avro/index.ts';
import type { Sql } from '../postgres/index.ts';
import { versionsWithoutFingerprint } from './store.ts';

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

export { backfillFingerprints };
