import { createServer, request } from 'node:http';

/** One request that went through the proxy: its path and body as sent. */
type RecordedRequest = { readonly path: string; readonly body: string };

type RecordingProxy = { readonly url: string; readonly requests: RecordedRequest[]; close(): Promise<void> };

/**
 * A transparent HTTP proxy in front of `target` that keeps every request's path and body: the
 * bridge's invoke requests, as serverless-offline receives them, for a test to read. The answers
 * are passed back unchanged.
 */
async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ path: incoming.url ?? '/', body: body.toString('utf8') });
      const forward = request(new URL(incoming.url ?? '/', target), { method: incoming.method, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forward.on('error', (error) => {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { startRecordingProxy };
export type { RecordedRequest, RecordingProxy };
