import { loadFunctionConfig } from '../config/index.ts';
import type { ValidateRequest, ValidateResponse } from '../contracts/index.ts';
import { functionTelemetry, stageView } from '../middleware/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import { DecoderCache, type ValidateDeps } from '../stages/index.ts';
import { createFunctionBase } from './base.ts';
import type { WithPowertools } from './withPowertools.ts';

/** The validate function's dependencies: the registry through its caches, compiled decoders, and its Powertools middleware. */
function buildValidateDeps(): ValidateDeps & WithPowertools<ValidateRequest, ValidateResponse> {
  const config = loadFunctionConfig();
  const { sql, powertools } = createFunctionBase('validate', config);
  return {
    routes: createRouteLookup(sql, config.registryCache),
    decoders: new DecoderCache(),
    powertools: functionTelemetry<ValidateRequest, ValidateResponse>(powertools, stageView),
  };
}

export { buildValidateDeps };
