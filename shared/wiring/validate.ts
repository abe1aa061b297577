import { loadFunctionConfig } from '../config/index.ts';
import type { ValidateRequest, ValidateResponse } from '../contracts/index.ts';
import { functionTelemetry, stageView } from '../middleware/index.ts';
import { createRouteLookup } from '../routes/index.ts';
import { DecoderCache, type ValidateDeps } from '../stages/index.ts';
import { createFunctionBase, type WithTracing } from './base.ts';
import type { WithPowertools } from './withPowertools.ts';

/** The validate function's dependencies: the registry through its caches, compiled decoders, its Powertools middleware and its tracing. */
function buildValidateDeps(): WithTracing<ValidateDeps & WithPowertools<ValidateRequest, ValidateResponse>> {
  const config = loadFunctionConfig();
  const { sql, powertools, tracing } = createFunctionBase('validate', config);
  return {
    routes: createRouteLookup(sql, config.registryCache),
    decoders: new DecoderCache(),
    powertools: functionTelemetry<ValidateRequest, ValidateResponse>(powertools, stageView),
    tracing,
  };
}

export { buildValidateDeps };
