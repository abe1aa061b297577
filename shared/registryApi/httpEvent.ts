import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiRequest, ApiResponse } from './request.ts';

/**
 * An API Gateway HTTP API event (payload 2.0) as a registry request. The path is taken raw
 * (`rawPath`), so the API itself decodes and checks it. Nothing here reads Host or X-Forwarded-*:
 * links come from the configured public URL.
 */
/**
 * API Gateway sends the body as a string or leaves it out. serverless-offline sends `null` for an
 * empty one, and the parsed value itself for a falsy JSON body (`0`, `false`); those go back to text.
 */
function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const raw = bodyText(event.body as unknown);
  const body = raw === undefined ? undefined : event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return {
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    path: event.rawPath ?? '/',
    query: event.rawQueryString ?? '',
    headers,
    body,
  };
}

function toHttpResult(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
}

export { toApiRequest, toHttpResult };
