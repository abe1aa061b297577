import middy from '@middy/core';
import { RAW_RECORD, type ValidateRequest, type ValidateResponse } from '../../shared/contracts/index.ts';
import { requestShape } from '../../shared/middleware/index.ts';
import { createFunctionRuntime } from '../../shared/wiring/index.ts';
import { DecoderCache } from '../../shared/stages/index.ts';
import { runValidate } from '../../shared/stages/index.ts';

const runtime = createFunctionRuntime('validate');
const deps = { routes: runtime.routes, decoders: new DecoderCache() };

const handler = middy<ValidateRequest, ValidateResponse>()
  .use(requestShape<ValidateRequest, ValidateResponse>('validate', RAW_RECORD))
  .handler((request) => runValidate(request, deps));

export { handler };
