/**
 * What this replica has done since it started: counters only ever grow. The `bridge stats` line
 * (statsReporter.ts) logs their differences; the `bridge stopped` line logs them whole.
 */
type BridgeStats = {
  committed: number;
  duplicates: number;
  deadLettered: number;
  retried: number;
  batches: number;
};

function createBridgeStats(): BridgeStats {
  return { committed: 0, duplicates: 0, deadLettered: 0, retried: 0, batches: 0 };
}

export { createBridgeStats };
export type { BridgeStats };
