import { migrate, type Sql } from '../postgres/index.ts';
import { backfillFingerprints, backfillVariantFingerprints } from './backfill.ts';

/** Forward-only SQL migrations, then the data steps SQL cannot do. Returns what was applied. */
async function migrateRegistry(sql: Sql, directory: string): Promise<string[]> {
  const applied = await migrate(sql, directory);
  const filled = await backfillFingerprints(sql);
  const variants = await backfillVariantFingerprints(sql);
  return [
    ...applied,
    ...(filled > 0 ? [`fingerprints of ${filled} version(s)`] : []),
    ...(variants > 0 ? [`variant fingerprints of ${variants} version(s)`] : []),
  ];
}

export { migrateRegistry };
