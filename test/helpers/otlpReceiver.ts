import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP/HTTP JSON export carries it, ids as lower-case hex. */
type ReceivedSpan = {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startNanos: bigint;
  readonly endNanos: bigint;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** `{code, message}`; code 2 is ERROR. */
  readonly status: { readonly code: number; readonly message: string };
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
};

/** A local OTLP/HTTP collector stand-in: it keeps every span POSTed to /v1/traces (and answers other signals 200). */
type OtlpReceiver = {
  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  readonly url: string;
  spans(): readonly ReceivedSpan[];
  /** The spans of one trace. */
  trace(traceId: string): readonly ReceivedSpan[];
  /** How many export requests could not be read (a test fails on any). */
  readonly malformed: number;
  close(): Promise<void>;
};

type JsonValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type JsonSpan = {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: { key: string; value: JsonValue }[];
  status?: { code?: number; message?: string };
  links?: { traceId?: string; spanId?: string }[];
};
type ExportRequest = {
  resourceSpans?: { resource?: { attributes?: { key: string; value: JsonValue }[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
};

/** OTLP JSON ids are hex by the specification; protobuf-style JSON encoders send base64. Both become hex. */
function hexId(id: string | undefined, bytes: number): string {
  if (id === undefined || id === '') return '';
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function plainValue(value: JsonValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return JSON.stringify(value);
}

function attributesOf(list: { key: string; value: JsonValue }[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, plainValue(value)]));
}

function spansOf(request: ExportRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        out.push({
          service,
          traceId: hexId(span.traceId, 16),
          spanId: hexId(span.spanId, 8),
          parentSpanId: hexId(span.parentSpanId, 8),
          name: span.name ?? '',
          kind: span.kind ?? 0,
          startNanos: BigInt(span.startTimeUnixNano ?? 0),
          endNanos: BigInt(span.endTimeUnixNano ?? 0),
          attributes: attributesOf(span.attributes),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
          links: (span.links ?? []).map((link) => ({ traceId: hexId(link.traceId, 16), spanId: hexId(link.spanId, 8) })),
        });
      }
    }
  }
  return out;
}

async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  let malformed = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        try {
          const raw = Buffer.concat(chunks);
          const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          received.push(...spansOf(JSON.parse(body.toString('utf8')) as ExportRequest));
        } catch {
          malformed++;
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    trace: (traceId) => received.filter((span) => span.traceId === traceId),
    get malformed() {
      return malformed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { startOtlpReceiver };
export type { OtlpReceiver, ReceivedSpan };
