import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lambdaTargetFields } from '../../bridge/process.ts';
import { loadBridgeConfig } from '../../shared/config/index.ts';

describe('the bridge start-up line', () => {
  test('without LAMBDA_ENDPOINT: AWS Lambda in the region, the prefixed function names, through the SDK', () => {
    const { lambda } = loadBridgeConfig({ AWS_REGION: 'ap-southeast-2', FUNCTION_PREFIX: 'ingest-prod-' });
    assert.deepEqual(lambdaTargetFields(lambda), {
      lambda: 'AWS Lambda in ap-southeast-2',
      region: 'ap-southeast-2',
      transport: 'AWS SDK',
      functions: ['ingest-prod-validate', 'ingest-prod-route', 'ingest-prod-sink-write'],
    });
  });

  test('with a loopback LAMBDA_ENDPOINT: that endpoint, unsigned HTTP, and a function name set on its own wins over the prefix', () => {
    const { lambda } = loadBridgeConfig({ LAMBDA_ENDPOINT: 'http://127.0.0.1:3002', FUNCTION_ROUTE: 'my-route' });
    assert.deepEqual(lambdaTargetFields(lambda), {
      lambda: 'http://127.0.0.1:3002',
      region: 'us-east-1',
      transport: 'unsigned HTTP (serverless-offline on loopback)',
      functions: ['ingest-dev-validate', 'my-route', 'ingest-dev-sink-write'],
    });
  });
});
