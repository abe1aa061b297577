import { type Agent, request } from 'node:http';

type RawResponse = {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body parsed as a JSON object; empty when it is empty, not JSON or not an object. */
  readonly json: Record<string, unknown>;
};

type RawRequest = {
  readonly method: string;
  /** Sent exactly as given: node:http does not resolve dot segments or re-encode the path. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** false: a connection of its own (node's default agent keeps connections alive); or an agent. */
  readonly agent?: false | Agent;
};

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = text === '' ? undefined : JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** One HTTP request to the registry API as a client sends it, without fetch's URL normalisation. */
function rawRequest(baseUrl: string, options: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  // A fixed Content-Length, as curl and fetch send it, rather than node's chunked encoding.
  const length = options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) };
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: { ...length, ...options.headers },
        timeout: timeoutMs,
        agent: options.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: parseJson(text) });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${options.method} ${options.path} timed out after ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    if (options.body !== undefined) outgoing.write(options.body);
    outgoing.end();
  });
}

/** A JSON client for one registry: `token` null sends no Authorization header. */
function registryClient(baseUrl: string, token: string) {
  return (method: string, path: string, options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}): Promise<RawResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    const bearer = options.token === undefined ? token : options.token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    return rawRequest(baseUrl, { method, path, headers, body });
  };
}

/** Asserts nothing itself: whether a response is an RFC 9457 problem document with its own status. */
function isProblem(response: RawResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');
  return (
    type.startsWith('application/problem+json') &&
    typeof response.json.type === 'string' &&
    typeof response.json.title === 'string' &&
    response.json.status === response.status
  );
}

export { isProblem, rawRequest, registryClient };
export type { RawRequest, RawResponse };
