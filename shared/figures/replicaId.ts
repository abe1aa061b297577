import { randomBytes } from 'node:crypto';

/** One token of a KV key: no dots (they separate tokens), no wildcards, nothing a subject refuses. */
const REPLICA_ID = /^[A-Za-z0-9_-]{1,128}$/;
const KEY_PREFIX = 'replica.';

class InvalidReplicaIdError extends Error {
  constructor(id: string) {
    super(`replica id "${id}" must be 1-128 of [A-Za-z0-9_-] (one token of the figures key replica.<id>)`);
    this.name = 'InvalidReplicaIdError';
  }
}

function isReplicaId(id: string): boolean {
  return REPLICA_ID.test(id);
}

/**
 * A replica's id: host name, process id and a random part, so two containers with the same host
 * name (and pid 1) and a restarted process never share a key. A restart is a new id: its counters
 * start again from zero in a document of its own, and the old one expires.
 */
function createReplicaId(host: { readonly hostname: string; readonly pid: number }, random: string = randomBytes(3).toString('hex')): string {
  const name = host.hostname.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 64) || 'host';
  const id = `${name}-${host.pid}-${random}`;
  if (!isReplicaId(id)) throw new InvalidReplicaIdError(id);
  return id;
}

/** The key a replica's document lives under. */
function replicaKey(id: string): string {
  if (!isReplicaId(id)) throw new InvalidReplicaIdError(id);
  return `${KEY_PREFIX}${id}`;
}

export { createReplicaId, InvalidReplicaIdError, isReplicaId, KEY_PREFIX, replicaKey };
