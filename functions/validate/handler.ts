import middy from '@middy/core';
import { RAW_RECORD, type ValidateRequest, type ValidateResponse } from '../../shared/contracts/index.ts';
import { requestShape, tracedHandler } from '../../shared/middleware/index.ts';
import { runValidate } from '../../shared/stages/index.ts';
import { buildValidateDeps } from '../../shared/wiring/index.ts';

const deps = buildValidateDeps();

const handler = middy<ValidateRequest, ValidateResponse>()
  .use(deps.powertools)
  .use(requestShape<ValidateRequest, ValidateResponse>('validate', RAW_RECORD))
  .handler((request) => runValidate(request, deps));

// Outermost, so the span covers every middleware too, and the flush comes after all of them.
const traced = tracedHandler('validate', deps.tracing, handler);

export { traced as handler };
