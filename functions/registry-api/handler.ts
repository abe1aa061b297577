import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createRegistryService } from '../../shared/admin/index.ts';
import { loadHttpSinkPolicy, loadRegistryApiConfig } from '../../shared/config/index.ts';
import { createLogger } from '../../shared/logging/index.ts';
import { createSql } from '../../shared/postgres/index.ts';
import { handleRegistryRequest, type ApiRequest } from './api.ts';

const config = loadRegistryApiConfig();
const logger = createLogger(config.logLevel, { function: 'registry-api' });
const sql = createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: 'ingest-registry-api' });
const service = createRegistryService(sql, { ingest: config.ingestSubjects, deadLetter: config.deadLetterSubjects, httpSinks: loadHttpSinkPolicy() });

function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const protocol = headers['x-forwarded-proto'] ?? 'http';
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body,
    baseUrl: config.publicUrl ?? `${protocol}://${headers.host ?? 'localhost'}`,
  };
}

/** Turns API Gateway (HTTP API, payload 2.0) events into registry requests. */
async function registryApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const request = toApiRequest(event);
  try {
    const response = await handleRegistryRequest(request, { service, writeToken: config.writeToken });
    return { statusCode: response.status, headers: response.headers, body: response.body };
  } catch (error) {
    logger.error('registry request failed', { method: request.method, path: request.path, error });
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ type: 'about:blank', title: 'Internal error', status: 500, instance: request.path }),
    };
  }
}

const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(registryApi);

export { handler };
