import { readFileSync } from 'node:fs';
import { type Authenticator, credsAuthenticator, type NatsConnection, tokenAuthenticator, usernamePasswordAuthenticator } from '@nats-io/nats-core';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsAuth, NatsSecurity } from '../config/index.ts';
import { redactUrl } from '../logging/index.ts';

function authenticatorFor(auth: NatsAuth): Authenticator {
  switch (auth.kind) {
    case 'creds':
      // Read at every (re)connect rather than once: user JWTs expire, and a rotated file
      // (a re-mounted secret) must be picked up without restarting the process.
      return credsAuthenticator(() => readFileSync(auth.credsFile));
    case 'userPassword':
      return usernamePasswordAuthenticator(auth.user, auth.password);
    case 'token':
      return tokenAuthenticator(auth.token);
  }
}

/** Connection options for the configured authentication and TLS; none when `security` is unset. */
function securityOptions(security: NatsSecurity | undefined): Pick<NodeConnectionOptions, 'authenticator' | 'tls'> {
  const options: Pick<NodeConnectionOptions, 'authenticator' | 'tls'> = {};
  if (security?.auth !== undefined) {
    // Fail here, naming the variable, rather than deep inside the handshake with "unable to parse credentials".
    if (security.auth.kind === 'creds') readFileSync(security.auth.credsFile);
    options.authenticator = authenticatorFor(security.auth);
  }
  if (security?.tls !== undefined) {
    const { caFile, certFile, keyFile } = security.tls;
    // Any tls object, even an empty one, makes the client refuse a server that does not offer TLS.
    options.tls = {
      ...(caFile !== undefined && { caFile }),
      ...(certFile !== undefined && { certFile }),
      ...(keyFile !== undefined && { keyFile }),
    };
  }
  return options;
}

/**
 * Connects and keeps reconnecting forever: a NATS restart must pause the plane, not end it.
 * `security` comes from the configuration (`config.nats.security`); without it the connection
 * is unauthenticated and uses TLS only when the server asks for it.
 */
async function connectNats(url: string, name: string, security?: NatsSecurity): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 1000, ...securityOptions(security) });
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
}

export { connectNats };
export type { NatsConnection };
