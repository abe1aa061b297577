import { createHash } from 'node:crypto';

/**
 * The Idempotency-Key of a batch POST: the same set of event ids always gives the same key, in any
 * order and with repeats, so a redelivered batch is recognisable as a whole. The endpoint that wants
 * per-event deduplication uses the ids in the body; this key covers retries of the same request.
 */
function batchIdempotencyKey(eventIds: readonly string[]): string {
  const ids = [...new Set(eventIds)].sort();
  // JSON keeps the encoding unambiguous whatever characters an id contains.
  return `sha256:${createHash('sha256').update(JSON.stringify(ids)).digest('hex')}`;
}

export { batchIdempotencyKey };
