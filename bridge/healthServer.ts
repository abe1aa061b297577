import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/logging/index.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../shared/telemetry/index.ts';
import { HttpPortInUseError } from './errors.ts';
import type { ReadinessReport } from './readiness.ts';

type HealthServerOptions = {
  readonly host: string;
  readonly port: number;
  /** Prometheus text of the bridge's metrics. */
  readonly metrics: () => Promise<string>;
  readonly readiness: () => Promise<ReadinessReport>;
  readonly logger: Logger;
};

type HealthServer = {
  /** Where it listens (the port the system chose when 0 was not given: the server is off then). */
  readonly address: AddressInfo;
  close(): Promise<void>;
};

const PATHS = new Set(['/metrics', '/healthz', '/readyz']);

function send(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  send(response, status, 'application/json', `${JSON.stringify(body)}\n`, headers);
}

async function answer(options: HealthServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://bridge').pathname;
  if (!PATHS.has(path)) return sendJson(response, 404, { error: `no such path: ${path}`, paths: [...PATHS] });
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return sendJson(response, 405, { error: `${request.method} is not allowed` }, { allow: 'GET, HEAD' });
  if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
  if (path === '/readyz') {
    const report = await options.readiness();
    return sendJson(response, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report.checks });
  }
  return send(response, 200, PROMETHEUS_CONTENT_TYPE, await options.metrics());
}

/**
 * The bridge's own HTTP port: `/metrics` (Prometheus text), `/healthz` (the process lives) and
 * `/readyz` (NATS connected, the consumer there, the stages answering; 503 with the failed checks
 * otherwise). node:http is enough for three read-only paths; a framework would add nothing but
 * weight to the process. Resolves once listening; a taken port fails with HttpPortInUseError.
 */
async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    answer(options, request, response).catch((error: unknown) => {
      options.logger.warn('health server request failed', { path: request.url, error });
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  // A scraper's keep-alive connection must not hold the process open at exit.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new HttpPortInUseError(options.host, options.port, { cause: error }) : error),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  server.unref();
  const address = server.address() as AddressInfo;
  options.logger.info('bridge http listening', { host: address.address, port: address.port, paths: [...PATHS] });
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export { startHealthServer };
export type { HealthServer, HealthServerOptions };
