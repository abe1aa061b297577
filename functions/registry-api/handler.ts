import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadHttpSinkPolicy, loadRegistryApiConfig } from '../../shared/config/index.ts';
import { createLogger } from '../../shared/logging/index.ts';
import { createSql } from '../../shared/postgres/index.ts';
import { handleRegistryRequest } from '../../shared/registryApi/index.ts';
import { registryApiDeps } from '../../shared/wiring/index.ts';
import { toApiRequest, toHttpResult } from '../../shared/registryApi/index.ts';
import { describeWrite } from '../../shared/registryApi/index.ts';

const config = loadRegistryApiConfig();
const logger = createLogger(config.logLevel, { function: 'registry-api' });
const sql = createSql(config.databaseUrl, { max: config.databasePoolMax, applicationName: 'ingest-registry-api' });
const deps = registryApiDeps(config, loadHttpSinkPolicy(), sql);
if (config.publicUrlDefaulted) logger.warn('REGISTRY_PUBLIC_URL is not set; links point at the local default', { publicUrl: config.publicUrl });

/** Turns API Gateway (HTTP API, payload 2.0) events into registry requests; the logic is in api.ts. */
async function registryApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const request = toApiRequest(event);
  const response = await handleRegistryRequest(request, deps, {
    unexpected: (error) => logger.error('registry request failed', { method: request.method, path: request.path, error }),
  });
  const write = describeWrite(request, response);
  if (write !== undefined) logger[write.level]('registry write', write.fields);
  return toHttpResult(response);
}

const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(registryApi);

export { handler };
