import { migrate, type Sql } from '../postgres/index.ts';
import { backfillFingerprints } from './backfill.ts';

/** Forward-only SQL migrations, then the data steps SQL cannot do. Returns what was applied. */
async function migrateRegistry(sql: Sql, directory: string): Promise<string[]> {
  const applied = await migrate(sql, directory);
  const filled = await backfillFingerprints(sql);
  return filled > 0 ? [...applied, `fingerprints of ${filled} version(s)`] : applied;
}

export { migrateRegistry };
