import { type DeliveryLedger, DeliveryStateUnavailableError } from '../../shared/deliveries/index.ts';

/**
 * An in-memory delivery ledger for unit tests of sink-write's logic only; integration tests use
 * PostgreSQL's (createPostgresLedger on a per-run database). `down` makes reads or writes fail
 * the way the PostgreSQL ledger does when its database is gone. `rows` holds `<sink>|<event id>`.
 * It keeps no delivery times, so it cannot prune: a test that needs pruning must use PostgreSQL.
 */
function memoryLedger(options: { readonly down?: 'read' | 'write' } = {}): DeliveryLedger & { readonly rows: Set<string> } {
  const rows = new Set<string>();
  return {
    rows,
    async delivered(sink, eventIds) {
      if (options.down === 'read') throw new DeliveryStateUnavailableError('delivery state: read failed');
      return new Set(eventIds.filter((eventId) => rows.has(`${sink}|${eventId}`)));
    },
    async remember(sink, eventIds) {
      if (options.down === 'write') throw new DeliveryStateUnavailableError('delivery state: write failed');
      for (const eventId of eventIds) rows.add(`${sink}|${eventId}`);
    },
    async prune() {
      throw new Error('the in-memory ledger keeps no delivery times; test pruning against createPostgresLedger');
    },
  };
}

export { memoryLedger };
