import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LambdaConfig } from '../shared/config/index.ts';
import { Stage } from '../shared/failures/index.ts';
import { InvokeError } from './errors.ts';
import type { StageInvoker } from './stageInvoker.ts';
import { requestBody } from './requestLimit.ts';
import { createLocalLambdaInvoker, decodeInvokeResponse, isLoopbackHttpEndpoint, type LambdaInvoker } from './localInvoker.ts';

/** Which transport `createLambdaInvoker` uses for an endpoint. */
type LambdaTransport = 'local-http' | 'sdk';

/**
 * The one place the transport is chosen: serverless-offline on a loopback address gets plain
 * HTTP without signing; AWS Lambda (no endpoint) and any non-loopback endpoint get the SDK.
 */
function lambdaTransportFor(endpoint: string | undefined): LambdaTransport {
  return isLoopbackHttpEndpoint(endpoint) ? 'local-http' : 'sdk';
}

/**
 * Invokes the functions synchronously through the Lambda API, over the transport
 * `lambdaTransportFor` picks. Both transports fail with the same InvokeErrors.
 */
function createLambdaInvoker(config: LambdaConfig): LambdaInvoker {
  return lambdaTransportFor(config.endpoint) === 'local-http' ? createLocalLambdaInvoker(config) : createSdkLambdaInvoker(config);
}

/** The Lambda API through the AWS SDK: SigV4-signed, for AWS Lambda or a remote endpoint. */
function createSdkLambdaInvoker(config: LambdaConfig): LambdaInvoker {
  const client = new LambdaClient({
    region: config.region,
    endpoint: config.endpoint,
    // serverless-offline does not check signatures, but the SDK refuses to sign without keys.
    credentials: config.useLocalCredentials ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    maxAttempts: 1,
    // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes
    // and the invoke waits on, so LAMBDA_TIMEOUT_MS would not bound a batch.
    requestHandler: { requestTimeout: config.timeoutMs, throwOnRequestTimeout: true },
  });

  async function invoke<Req, Res>(stage: Stage, functionName: string, request: Req): Promise<Res> {
    const payload = requestBody(stage, functionName, request, config.maxRequestBytes);
    let output;
    try {
      output = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: payload }));
    } catch (error) {
      throw new InvokeError(stage, functionName, `invoke failed: ${(error as Error).message}`, { cause: error });
    }
    const body = output.Payload === undefined ? '' : Buffer.from(output.Payload).toString('utf8');
    return decodeInvokeResponse<Res>(stage, functionName, output.FunctionError, body);
  }

  const names = config.functionNames;
  return {
    validate: (request) => invoke(Stage.validate, names.validate, request),
    route: (request) => invoke(Stage.route, names.route, request),
    sinkWrite: (request) => invoke(Stage.sinkWrite, names.sinkWrite, request),
    checkDelivery: (request) => invoke(Stage.sinkWrite, names.sinkWrite, request),
    close: async () => client.destroy(),
  };
}

export { createLambdaInvoker, createSdkLambdaInvoker, lambdaTransportFor };
export type { LambdaTransport, StageInvoker };
