import { arrayLiteral, type Sql } from '../postgres/index.ts';
import { DeliveryStateUnavailableError } from './errors.ts';
import type { DeliveryLedger } from './types.ts';

const asIs = (value: string): string => value;

/** The ledger in the registry database (table `sink_deliveries`, migration 00003). */
function createPostgresLedger(sql: Sql): DeliveryLedger {
  async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new DeliveryStateUnavailableError(`delivery state: ${what} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  return {
    delivered: (sink, eventIds) =>
      guarded('read', async () => {
        if (eventIds.length === 0) return new Set<string>();
        const rows = await sql<{ event_id: string }[]>`
          select event_id from sink_deliveries
          where sink = ${sink} and event_id = any(${arrayLiteral(eventIds, asIs)}::text[])`;
        return new Set(rows.map((row) => row.event_id));
      }),
    remember: (sink, eventIds) =>
      guarded('write', async () => {
        if (eventIds.length === 0) return;
        await sql`
          insert into sink_deliveries (event_id, sink)
          select unnest(${arrayLiteral(eventIds, asIs)}::text[]), ${sink}
          on conflict do nothing`;
      }),
    prune: (days) =>
      guarded('prune', async () => {
        const result = await sql`delete from sink_deliveries where delivered_at < now() - make_interval(days => ${days})`;
        return result.count;
      }),
  };
}

export { createPostgresLedger };
