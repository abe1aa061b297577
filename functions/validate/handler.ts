import middy from '@middy/core';
import { RAW_RECORD, type ValidateRequest, type ValidateResponse } from '../../shared/contracts/index.ts';
import { requestShape } from '../../shared/middleware/index.ts';
import { runValidate } from '../../shared/stages/index.ts';
import { buildValidateDeps } from '../../shared/wiring/index.ts';

const deps = buildValidateDeps();

const handler = middy<ValidateRequest, ValidateResponse>()
  .use(deps.powertools)
  .use(requestShape<ValidateRequest, ValidateResponse>('validate', RAW_RECORD))
  .handler((request) => runValidate(request, deps));

export { handler };
