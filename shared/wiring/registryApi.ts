import { createRegistryService } from '../xregistry/index.ts';
import type { HttpSinkPolicy, RegistryApiConfig } from '../config/index.ts';
import type { Sql } from '../postgres/index.ts';
import type { ApiDeps } from '../registryApi/index.ts';

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

export { registryApiDeps };
