import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describeWrite, handleRegistryRequest, toApiRequest, toHttpResult } from '../../shared/registryApi/index.ts';
import { buildRegistryApiDeps } from '../../shared/wiring/index.ts';

const deps = buildRegistryApiDeps();
const { logger } = deps;

/** Turns API Gateway (HTTP API, payload 2.0) events into registry requests; the logic is in api.ts. */
async function registryApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const request = toApiRequest(event);
  const response = await handleRegistryRequest(request, deps.api, {
    unexpected: (error) => logger.error('registry request failed', { method: request.method, path: request.path, error }),
  });
  const write = describeWrite(request, response);
  if (write !== undefined) logger[write.level]('registry write', write.fields);
  return toHttpResult(response);
}

const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().use(deps.powertools).handler(registryApi);

export { handler };
