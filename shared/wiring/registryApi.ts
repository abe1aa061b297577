import { createRegistryService } from '../xregistry/index.ts';
import { type HttpSinkPolicy, loadHttpSinkPolicy, loadRegistryApiConfig, type RegistryApiConfig } from '../config/index.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '../logging/index.ts';
import { functionTelemetry, registryApiView } from '../middleware/index.ts';
import type { Sql } from '../postgres/index.ts';
import type { ApiDeps } from '../registryApi/index.ts';
import { createFunctionBase } from './base.ts';
import type { WithPowertools } from './withPowertools.ts';

/**
 * What the registry-api function serves requests with, built from its configuration: a registry
 * service that holds routes to this deployment's streams and HTTP sink policy and creates their
 * tables, and the write token, public URL and CORS origins. One function, so tests wire the
 * registry exactly as the deployed function does.
 */
function registryApiDeps(config: RegistryApiConfig, httpSinks: HttpSinkPolicy, sql: Sql): ApiDeps {
  return {
    service: createRegistryService(sql, { ingest: config.ingestSubjects, deadLetter: config.deadLetterSubjects, httpSinks }),
    writeToken: config.writeToken,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
  };
}

/** What the registry-api function serves with, and the logger its handler reports failed and written requests on. */
type RegistryApiFunctionDeps = WithPowertools<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> & {
  readonly api: ApiDeps;
  readonly logger: Logger;
};

function buildRegistryApiDeps(): RegistryApiFunctionDeps {
  const config = loadRegistryApiConfig();
  const { logger, sql, powertools } = createFunctionBase('registry-api', config);
  const api = registryApiDeps(config, loadHttpSinkPolicy(), sql);
  if (config.publicUrlDefaulted) logger.warn('REGISTRY_PUBLIC_URL is not set; links point at the local default', { publicUrl: config.publicUrl });
  return { api, logger, powertools: functionTelemetry(powertools, registryApiView) };
}

export { buildRegistryApiDeps, registryApiDeps };
export type { RegistryApiFunctionDeps };
