import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { consoleAssets } from 'ingest-console-assets';
import { handleConsoleRequest } from '../../shared/console/index.ts';
import { toApiRequest, toHttpResult } from '../../shared/registryApi/index.ts';
import { buildConsoleDeps } from '../../shared/wiring/index.ts';

const deps = buildConsoleDeps(consoleAssets);

/** Turns API Gateway (HTTP API, payload 2.0) events into console requests; the logic is in shared/console. */
async function consoleApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return toHttpResult(await handleConsoleRequest(toApiRequest(event), deps.console));
}

const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().use(deps.powertools).handler(consoleApi);

export { handler };
