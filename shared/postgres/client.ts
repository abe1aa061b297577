import { connect, type Socket } from 'node:net';
import postgres from 'postgres';

type Sql = postgres.Sql;
type TransactionSql = postgres.TransactionSql;

type SqlOptions = {
  readonly max: number;
  readonly applicationName: string;
};

type SocketOptions = { readonly host: readonly string[]; readonly port: readonly number[] };

/**
 * postgres.js never turns Nagle's algorithm off, which makes each multi-packet round trip (COPY,
 * large batches) wait for a delayed ACK. Its `socket` factory is the hook: it treats the socket
 * as connected and writes at once, which Node buffers until the connection is up; refusals and
 * timeouts still arrive as the socket's error/close events and postgres.js's own connect timer.
 */
function connectNoDelay(options: SocketOptions): Socket {
  const host = options.host[0] ?? '127.0.0.1';
  const socket = connect({ host, port: options.port[0] ?? 5432, noDelay: true });
  // postgres.js reads socket.host for the TLS server name.
  return Object.assign(socket, { host });
}

/**
 * One pool per process. Short idle and lifetime limits let a Lambda container give its
 * connections back instead of pinning them while frozen.
 */
function createSql(url: string, options: SqlOptions): Sql {
  const settings = {
    max: options.max,
    idle_timeout: 20,
    max_lifetime: 60 * 30,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: options.applicationName },
    socket: connectNoDelay,
  };
  return postgres(url, settings);
}

export { createSql };
export type { Sql, TransactionSql };
