import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { SinkTargetRefusedError, SinkUnavailableError } from '../errors.ts';
import { nonPublicReason } from './addresses.ts';
import type { HttpOutcome } from './response.ts';

/** How much of an error response is kept for the dead letter. */
const BODY_PREFIX_BYTES = 500;

type Agents = { readonly http: http.Agent; readonly https: https.Agent };

function createAgents(): Agents {
  // Keep-alive: a batch in event mode is many POSTs to one host. Pooled sockets were opened to
  // checked addresses, so reusing them cannot bypass the address check.
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

function timeoutError(what: string, timeoutMs: number, cause?: unknown): SinkUnavailableError {
  return new SinkUnavailableError(`${what} timed out after ${timeoutMs} ms`, { cause });
}

function raceSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Every address `hostname` resolves to, checked. One non-public address refuses the host as a whole
 * (unless private networks are allowed): a name that mixes public and private answers is how DNS
 * rebinding is usually staged.
 */
async function resolveChecked(hostname: string, allowPrivateNetworks: boolean, timeoutMs: number): Promise<LookupAddress[]> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  if (isIP(bare) !== 0) {
    addresses = [{ address: bare, family: isIP(bare) }];
  } else {
    try {
      addresses = await raceSignal(lookup(bare, { all: true, verbatim: true }), AbortSignal.timeout(timeoutMs));
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw timeoutError(`resolving ${bare}`, timeoutMs, error);
      // NXDOMAIN can be a DNS outage or a typo; retrying costs little and ends in a dead letter anyway.
      throw new SinkUnavailableError(`cannot resolve ${bare}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (addresses.length === 0) throw new SinkUnavailableError(`${bare} resolved to no address`);
  if (!allowPrivateNetworks) {
    for (const { address } of addresses) {
      const reason = nonPublicReason(address);
      if (reason !== undefined) {
        throw new SinkTargetRefusedError(`${bare} resolves to ${address} (${reason}); HTTP_SINK_ALLOW_PRIVATE_NETWORKS is off`);
      }
    }
  }
  return addresses;
}

/**
 * A `lookup` for node:http that answers only with the addresses already checked. The socket then
 * connects to exactly what was validated, while the URL keeps its host name: the Host header, TLS
 * SNI and certificate verification all still use the name. fetch() offers no such hook; it would
 * resolve again at connect time, and a rebinding DNS server could answer differently that time.
 */
function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) {
      callback(null, [...addresses]);
      return;
    }
    const match = addresses.find((entry) => options.family === undefined || options.family === 0 || entry.family === options.family) ?? addresses[0]!;
    callback(null, match.address, match.family);
  };
}

type PostRequest = {
  readonly url: URL;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly addresses: readonly LookupAddress[];
  readonly timeoutMs: number;
  readonly agents: Agents;
};

/** The status line and, for a non-2xx answer, the first bytes of the body. */
function readOutcome(response: http.IncomingMessage, resolve: (outcome: HttpOutcome) => void): void {
  const status = response.statusCode ?? 0;
  const base = {
    status,
    statusText: response.statusMessage ?? '',
    retryAfter: typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : undefined,
  };
  if (status >= 200 && status < 300) {
    // The endpoint has decided; the rest of the body is drained (keeping the socket reusable) but not awaited.
    response.resume();
    response.on('error', () => {});
    resolve({ ...base, bodyPrefix: '' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const finish = (): void => {
    const prefix = Buffer.concat(chunks).subarray(0, BODY_PREFIX_BYTES);
    resolve({ ...base, bodyPrefix: new TextDecoder('utf-8', { fatal: false }).decode(prefix) });
  };
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    // Enough for the message; a huge error page is not read to the end.
    if (size >= BODY_PREFIX_BYTES) response.destroy();
  });
  response.once('end', finish);
  response.once('close', finish);
  response.once('error', finish);
}

/** POSTs `body` to the checked addresses of `url`. Transport problems and timeouts throw retryable failures. */
function post(request: PostRequest): Promise<HttpOutcome> {
  const { url, timeoutMs } = request;
  const signal = AbortSignal.timeout(timeoutMs);
  return new Promise<HttpOutcome>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: pinnedLookup(request.addresses),
        agent: url.protocol === 'https:' ? request.agents.https : request.agents.http,
        signal,
      },
      (response) => readOutcome(response, resolve),
    );
    req.once('error', (error) => {
      if (signal.aborted) reject(timeoutError(`POST ${url.host}`, timeoutMs, error));
      else reject(new SinkUnavailableError(`POST ${url.host} failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`, { cause: error }));
    });
    req.end(request.body);
  });
}

export { createAgents, post, resolveChecked };
export type { Agents, PostRequest };
