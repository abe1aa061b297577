import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** Connects and keeps reconnecting forever: a NATS restart must pause the plane, not end it. */
async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${url}: ${(error as Error).message}`, { cause: error });
  }
}

export { connectNats };
export type { NatsConnection };
