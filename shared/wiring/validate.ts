import { loadFunctionConfig } from '../config/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import { DecoderCache, type ValidateDeps } from '../stages/index.ts';
import { createFunctionBase, type WithTracing } from './base.ts';

/** The validate function's dependencies: the registry through its caches, and compiled decoders. */
function buildValidateDeps(): WithTracing<ValidateDeps> {
  const config = loadFunctionConfig();
  const { sql, tracing } = createFunctionBase('validate', config);
  return { routes: createRouteLookup(sql, config.registryCache), decoders: new DecoderCache(), tracing };
}

export { buildValidateDeps };
