import { loadFunctionConfig } from '../config/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import { DecoderCache, type ValidateDeps } from '../stages/index.ts';
import { createFunctionBase } from './base.ts';

/** The validate function's dependencies: the registry through its caches, and compiled decoders. */
function buildValidateDeps(): ValidateDeps {
  const config = loadFunctionConfig();
  const { sql } = createFunctionBase('validate', config);
  return { routes: createRouteLookup(sql, config.registryCache), decoders: new DecoderCache() };
}

export { buildValidateDeps };
