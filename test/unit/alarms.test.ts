import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import middy from '@middy/core';
import { ROOT } from '../../cli/paths.ts';
import { permissionViolations, type Template } from '../../infra/aws/permissions.ts';
import { loadCloudFormationYaml } from '../../infra/aws/templates.ts';
import { loadFunctionConfig } from '../../shared/config/index.ts';
import { functionTelemetry, stageView } from '../../shared/middleware/index.ts';
import { BRIDGE_LAG_METRIC, FUNCTION_METRIC_DIMENSIONS, FUNCTION_METRICS, FUNCTION_METRICS_NAMESPACE } from '../../shared/telemetry/index.ts';
import { createFunctionPowertools } from '../../shared/wiring/index.ts';
import { captured, isEmf } from '../helpers/capturedOutput.ts';
import { lambdaContext } from '../helpers/lambda.ts';

type Dimension = { Name: string; Value: unknown };
type MetricStat = { Metric: { Namespace: string; MetricName: string; Dimensions: Dimension[] }; Period: unknown; Stat: string };
type AlarmProperties = {
  AlarmName: unknown;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
  Statistic?: string;
  Period?: unknown;
  Metrics?: { Id: string; Expression?: string; ReturnData: boolean; MetricStat?: MetricStat }[];
  EvaluationPeriods: unknown;
  Threshold: unknown;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmActions: unknown;
  OKActions: unknown;
};
type AlarmTemplate = Template & {
  Parameters: Record<string, { Type: string; Default?: unknown }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: AlarmProperties }>;
};

const STAGE_FUNCTIONS = ['validate', 'route', 'sink-write'];
const functionName = (fn: string): unknown => ({ 'Fn::Sub': `\${Service}-\${Stage}-${fn}` });

/** The metric names the stage middleware really writes as EMF, for a batch with ok and failed records. */
async function emittedStageMetricNames(): Promise<Set<string>> {
  const powertools = createFunctionPowertools('validate', loadFunctionConfig({ AWS_LAMBDA_FUNCTION_NAME: 'ingest-unit-validate' }));
  const handler = middy<{ records: { id: string }[] }, { results: unknown[] }>()
    .use(functionTelemetry(powertools, stageView))
    .handler(async () => ({
      results: [
        { id: '1', ok: true },
        { id: '2', ok: false, failure: { stage: 'validate', reason: 'avro_decode_failed', message: 'x', retryable: false } },
      ],
    }));
  const { lines } = await captured(() => handler({ records: [{ id: '1' }, { id: '2' }] }, lambdaContext('ingest-unit-validate', 'req')));
  return new Set(lines.filter(isEmf).flatMap((document) => document._aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics.map((metric) => metric.Name))));
}

describe('infra/aws/alarms.yml', () => {
  let template: AlarmTemplate;
  let functions: string[];
  let service: string;
  let alarms: AlarmProperties[];

  before(async () => {
    template = (await loadCloudFormationYaml(join(ROOT, 'infra/aws/alarms.yml'))) as AlarmTemplate;
    const serverless = (await loadCloudFormationYaml(join(ROOT, 'serverless.yml'))) as { service: string; functions: Record<string, unknown> };
    functions = Object.keys(serverless.functions);
    service = serverless.service;
    alarms = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map((resource) => resource.Properties);
  });

  test('every function of serverless.yml has an Errors and a Throttles alarm on its own AWS/Lambda metric', () => {
    assert.equal(template.Parameters.Service?.Default, service, 'the Service parameter defaults to serverless.yml service');
    assert.equal(functions.length, 6);
    for (const fn of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        const matching = alarms.filter(
          (alarm) =>
            alarm.Namespace === 'AWS/Lambda' &&
            alarm.MetricName === metric &&
            JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: functionName(fn) }]),
        );
        assert.equal(matching.length, 1, `${fn}: one ${metric} alarm`);
        assert.equal(matching[0]!.Statistic, 'Sum');
        assert.equal(matching[0]!.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
      }
    }
  });

  test('each stage function has a dead-letter rate alarm over the EMF metrics it emits, with its dimensions', async () => {
    const emitted = await emittedStageMetricNames();
    for (const fn of STAGE_FUNCTIONS) {
      const rate = alarms.filter((alarm) => alarm.Metrics?.some((query) => query.MetricStat?.Metric.Dimensions.some((d) => d.Value === fn)));
      assert.equal(rate.length, 1, `${fn}: one dead-letter rate alarm`);
      const queries = rate[0]!.Metrics!;
      const expression = queries.find((query) => query.ReturnData);
      assert.ok(expression?.Expression, `${fn}: the alarm returns an expression`);
      const stats = queries.filter((query) => query.MetricStat !== undefined);
      for (const id of expression.Expression.match(/\b[a-z][a-zA-Z0-9_]*\b/g)!.filter((word) => word !== 'IF')) {
        assert.ok(
          stats.some((query) => query.Id === id),
          `${fn}: ${id} in the expression is a query of the alarm`,
        );
      }
      assert.deepEqual(stats.map((query) => query.MetricStat!.Metric.MetricName).sort(), [
        FUNCTION_METRICS.recordsIn.name,
        FUNCTION_METRICS.recordsRejected.name,
      ]);
      for (const query of stats) {
        const { Metric } = query.MetricStat!;
        assert.equal(Metric.Namespace, FUNCTION_METRICS_NAMESPACE);
        assert.ok(emitted.has(Metric.MetricName), `${Metric.MetricName} is a metric the functions write (${[...emitted].join(', ')})`);
        assert.deepEqual(
          Metric.Dimensions.map((dimension) => dimension.Name),
          [...FUNCTION_METRIC_DIMENSIONS],
        );
        assert.deepEqual(Metric.Dimensions, [
          { Name: 'service', Value: functionName(fn) },
          { Name: 'function', Value: fn },
        ]);
        assert.equal(query.MetricStat!.Stat, 'Sum');
      }
    }
  });

  test("the consumer lag alarm reads the bridge's lag metric as the contract names it", () => {
    const lag = alarms.filter((alarm) => alarm.MetricName === BRIDGE_LAG_METRIC.name);
    assert.equal(lag.length, 1);
    assert.equal(lag[0]!.Namespace, BRIDGE_LAG_METRIC.namespace);
    assert.deepEqual(
      lag[0]!.Dimensions!.map((dimension) => dimension.Name),
      [...BRIDGE_LAG_METRIC.dimensions],
    );
    assert.deepEqual(
      lag[0]!.Dimensions!.map((dimension) => dimension.Value),
      [{ Ref: 'IngestStream' }, { Ref: 'ConsumerName' }],
    );
  });

  test('thresholds, period and evaluation periods are parameters; the SNS topic is optional', () => {
    assert.equal(alarms.length, functions.length * 2 + STAGE_FUNCTIONS.length + 1);
    const numberParameter = (value: unknown, what: string): void => {
      const name = (value as { Ref?: string }).Ref;
      assert.ok(name !== undefined && template.Parameters[name]?.Type === 'Number', `${what} is a Number parameter: ${JSON.stringify(value)}`);
    };
    assert.deepEqual(template.Conditions.HasAlarmTopic, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }] });
    assert.equal(template.Parameters.AlarmTopicArn?.Default, '');
    for (const alarm of alarms) {
      const name = JSON.stringify(alarm.AlarmName);
      numberParameter(alarm.Threshold, `${name} Threshold`);
      numberParameter(alarm.EvaluationPeriods, `${name} EvaluationPeriods`);
      for (const period of [alarm.Period, ...(alarm.Metrics ?? []).map((query) => query.MetricStat?.Period)].filter((value) => value !== undefined)) {
        numberParameter(period, `${name} Period`);
      }
      const actions = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
      assert.deepEqual(alarm.AlarmActions, actions, `${name} AlarmActions`);
      assert.deepEqual(alarm.OKActions, actions, `${name} OKActions`);
      assert.ok(['notBreaching', 'missing'].includes(alarm.TreatMissingData), `${name} TreatMissingData`);
    }
    assert.deepEqual(permissionViolations(template), []);
  });

  test('infra/aws/deploy.sh deploys the alarms stack of the stage', async () => {
    const script = await readFile(join(ROOT, 'infra/aws/deploy.sh'), 'utf8');
    assert.match(script, /--template-file infra\/aws\/alarms\.yml/);
    assert.match(script, /--stack-name "ingest-\$stage-alarms"/);
  });
});
