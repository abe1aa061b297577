import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { LambdaConfig } from '../shared/config/index.ts';
import { Stage } from '../shared/failures/index.ts';
import { isLoopbackHost } from '../shared/names/index.ts';
import { InvokeError } from './errors.ts';
import type { StageInvoker } from './stageInvoker.ts';
import { requestBody } from './requestLimit.ts';

type InvokePayloadError = { errorMessage?: string; errorType?: string };

/** A Lambda invoker that owns connections; `close` releases them after the bridge has drained. */
type LambdaInvoker = StageInvoker & { close(): Promise<void> };

type LocalInvokerOptions = {
  /** Upper bound on sockets to the endpoint; requests beyond it queue in the agent. */
  readonly maxSockets?: number;
};

/**
 * Each in-flight batch has one invoke outstanding at a time (the stages run in order), so the
 * bridge needs at most BRIDGE_MAX_IN_FLIGHT sockets; 64 is well above 3 × the default of 4 and
 * still a bound if something loops.
 */
const DEFAULT_MAX_SOCKETS = 64;

/**
 * Whether an endpoint may be invoked without the SDK: plain HTTP to a loopback host, i.e.
 * serverless-offline on this machine, which does not check signatures. AWS (no endpoint) and
 * anything reachable over a network keep SigV4 and the SDK.
 */
function isLoopbackHttpEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

/**
 * Turns a completed Invoke response into the function's result. Both invokers end here so a
 * function error or a non-JSON body reads the same whichever transport carried it.
 */
function decodeInvokeResponse<Res>(stage: Stage, functionName: string, functionError: string | undefined, body: string): Res {
  if (functionError !== undefined) {
    let detail = body;
    try {
      const parsed = JSON.parse(body) as InvokePayloadError;
      detail = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? body}`;
    } catch {
      // keep the raw body
    }
    throw new InvokeError(stage, functionName, `function error (${functionError}): ${detail.slice(0, 500)}`);
  }
  try {
    return JSON.parse(body) as Res;
  } catch (error) {
    throw new InvokeError(stage, functionName, `response is not JSON: ${body.slice(0, 200)}`, { cause: error });
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

type RawResponse = { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer };

type EndpointAddress = { readonly hostname: string; readonly port: number };

/**
 * One POST with one deadline for the whole exchange (connect, queueing for a socket, the
 * function's run, the body), as the SDK's requestTimeout measures it.
 */
function post(agent: Agent, to: EndpointAddress, path: string, payload: Buffer, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) reject(error);
      else resolve(response!);
    };
    const req = httpRequest({
      agent,
      hostname: to.hostname,
      port: to.port,
      path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': payload.length,
        'x-amz-invocation-type': 'RequestResponse',
      },
    });
    const timer = setTimeout(() => {
      const error = new Error(`no complete response within ${timeoutMs} ms`);
      finish(error);
      req.destroy(error);
    }, timeoutMs);
    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
      });
      res.on('error', (error) => finish(error));
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, length) }));
      res.on('close', () => {
        if (!res.complete) finish(new Error('connection closed before the response was complete'));
      });
    });
    req.end(payload);
  });
}

/**
 * The Lambda Invoke REST API (POST /2015-03-31/functions/{name}/invocations) over node:http with
 * a keep-alive agent and no signing, for serverless-offline on a loopback endpoint. It skips the
 * SDK's body hashing, SigV4 and middleware stack, which cost about a fifth of the bridge's CPU.
 * Errors are the SDK invoker's: every failure is a retryable InvokeError.
 */
function createLocalLambdaInvoker(config: LambdaConfig, options: LocalInvokerOptions = {}): LambdaInvoker {
  if (config.endpoint === undefined || !isLoopbackHttpEndpoint(config.endpoint)) {
    throw new Error(`the local invoker needs a plain-HTTP loopback endpoint, got ${String(config.endpoint)}`);
  }
  const base = new URL(config.endpoint);
  const address: EndpointAddress = {
    hostname: base.hostname.startsWith('[') ? base.hostname.slice(1, -1) : base.hostname,
    port: base.port === '' ? 80 : Number(base.port),
  };
  const prefix = `${base.pathname.replace(/\/+$/, '')}/2015-03-31/functions/`;
  const timeoutMs = config.timeoutMs;
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  // LIFO reuses the most recently active sockets, so idle ones age out instead of racing the
  // server's keep-alive timeout (Node also honours the server's Keep-Alive: timeout hint).
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });

  async function invoke<Req, Res>(stage: Stage, functionName: string, path: string, request: Req): Promise<Res> {
    const payload = requestBody(stage, functionName, request, config.maxRequestBytes);
    let response: RawResponse;
    try {
      response = await post(agent, address, path, payload, timeoutMs);
    } catch (error) {
      throw new InvokeError(stage, functionName, `invoke failed: ${(error as Error).message}`, { cause: error });
    }
    const body = response.body.toString('utf8');
    if (response.status < 200 || response.status > 299) {
      // What the SDK would have thrown as a service exception (e.g. ResourceNotFoundException).
      const type = headerValue(response.headers, 'x-amzn-errortype');
      throw new InvokeError(stage, functionName, `invoke failed: HTTP ${response.status}${type === undefined ? '' : ` ${type}`}: ${body.slice(0, 200)}`);
    }
    return decodeInvokeResponse<Res>(stage, functionName, headerValue(response.headers, 'x-amz-function-error'), body);
  }

  const names = config.functionNames;
  const pathFor = (name: string): string => `${prefix}${encodeURIComponent(name)}/invocations`;
  const paths = { validate: pathFor(names.validate), route: pathFor(names.route), sinkWrite: pathFor(names.sinkWrite) };
  return {
    validate: (request) => invoke(Stage.validate, names.validate, paths.validate, request),
    route: (request) => invoke(Stage.route, names.route, paths.route, request),
    sinkWrite: (request) => invoke(Stage.sinkWrite, names.sinkWrite, paths.sinkWrite, request),
    checkDelivery: (request) => invoke(Stage.sinkWrite, names.sinkWrite, paths.sinkWrite, request),
    close: async () => agent.destroy(),
  };
}

export { createLocalLambdaInvoker, decodeInvokeResponse, isLoopbackHttpEndpoint };
export type { LambdaInvoker, LocalInvokerOptions };
