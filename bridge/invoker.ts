import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type {
  RouteRequest,
  RouteResponse,
  SinkWriteRequest,
  SinkWriteResponse,
  ValidateRequest,
  ValidateResponse,
} from '../shared/contracts/index.ts';
import type { LambdaConfig } from '../shared/config/index.ts';
import { Stage } from '../shared/failures/index.ts';
import { InvokeError } from './errors.ts';

/** How the bridge reaches the three stage functions. */
type StageInvoker = {
  validate(request: ValidateRequest): Promise<ValidateResponse>;
  route(request: RouteRequest): Promise<RouteResponse>;
  sinkWrite(request: SinkWriteRequest): Promise<SinkWriteResponse>;
};

type InvokePayloadError = { errorMessage?: string; errorType?: string };

/**
 * Invokes the functions synchronously through the Lambda API. With `endpoint` set, the same code
 * drives serverless-offline; without it, AWS Lambda.
 */
function createLambdaInvoker(config: LambdaConfig): StageInvoker {
  const client = new LambdaClient({
    region: config.region,
    endpoint: config.endpoint,
    // serverless-offline does not check signatures, but the SDK refuses to sign without keys.
    credentials: config.useLocalCredentials ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    maxAttempts: 1,
    requestHandler: { requestTimeout: config.timeoutMs },
  });

  async function invoke<Req, Res>(stage: (typeof Stage)[keyof typeof Stage], functionName: string, request: Req): Promise<Res> {
    let output;
    try {
      output = await client.send(
        new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(request)) }),
      );
    } catch (error) {
      throw new InvokeError(stage, functionName, `invoke failed: ${(error as Error).message}`, { cause: error });
    }
    const body = output.Payload === undefined ? '' : Buffer.from(output.Payload).toString('utf8');
    if (output.FunctionError !== undefined) {
      let detail = body;
      try {
        const parsed = JSON.parse(body) as InvokePayloadError;
        detail = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? body}`;
      } catch {
        // keep the raw body
      }
      throw new InvokeError(stage, functionName, `function error (${output.FunctionError}): ${detail.slice(0, 500)}`);
    }
    try {
      return JSON.parse(body) as Res;
    } catch (error) {
      throw new InvokeError(stage, functionName, `response is not JSON: ${body.slice(0, 200)}`, { cause: error });
    }
  }

  const names = config.functionNames;
  return {
    validate: (request) => invoke(Stage.validate, names.validate, request),
    route: (request) => invoke(Stage.route, names.route, request),
    sinkWrite: (request) => invoke(Stage.sinkWrite, names.sinkWrite, request),
  };
}

export { createLambdaInvoker };
export type { StageInvoker };
