import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { ROOT } from '../../cli/paths.ts';
import { identityStatements, permissionViolations, type Template } from '../../infra/aws/permissions.ts';
import { loadCloudFormationYaml, paramsForStage } from '../../infra/aws/templates.ts';
import { loadBridgeConfig } from '../../shared/config/index.ts';
import { connectNats, consumerSettingsFor, ensureTopology } from '../../shared/nats/index.ts';
import { freePort } from '../helpers/names.ts';

const run = promisify(execFile);
const AWS_DIR = join(ROOT, 'infra/aws');
const LOCAL_STAGES = ['dev', 'ci', 'test'];
const INFRA_TEMPLATES = ['database.yml', 'bridge.yml', 'bridge-repository.yml'];

type ServerlessConfig = {
  configValidationMode: string;
  params: Record<string, Record<string, unknown>>;
  provider: { runtime: string; environment: Record<string, string> };
  custom: Record<string, Record<string, unknown>>;
  functions: Record<string, Record<string, unknown>>;
};

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((entry) => join(entry, name)).find((candidate) => existsSync(candidate));
}

/** Every string in a value, depth first. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

/** Export names imported through `Fn::ImportValue`, whether written as a string or with `Fn::Sub`. */
function importedNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(importedNames);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const imported = record['Fn::ImportValue'];
  if (imported !== undefined) return strings(imported);
  return Object.values(record).flatMap(importedNames);
}

describe('serverless.yml', () => {
  let config: ServerlessConfig;
  let text: string;

  before(async () => {
    text = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
    config = (await loadCloudFormationYaml(join(ROOT, 'serverless.yml'))) as ServerlessConfig;
  });

  test('keeps strict validation, the functions and their handlers, and the offline settings', () => {
    assert.equal(config.configValidationMode, 'error');
    assert.deepEqual(Object.fromEntries(Object.entries(config.functions).map(([name, fn]) => [name, fn.handler])), {
      validate: 'functions/validate/handler.handler',
      route: 'functions/route/handler.handler',
      'sink-write': 'functions/sink-write/handler.handler',
      'registry-api': 'functions/registry-api/handler.handler',
      'dlq-replay': 'functions/dlq-replay/handler.handler',
      console: 'functions/console/handler.handler',
    });
    assert.deepEqual(config.custom['serverless-offline'], { lambdaPort: 3002, httpPort: 3000, noPrependStageInUrl: true, useInProcess: true, noTimeout: true });
  });

  test('every function takes its scaling from params, has its own role and the stage network', () => {
    const roles = new Set<unknown>();
    for (const [name, fn] of Object.entries(config.functions)) {
      for (const key of ['memorySize', 'timeout', 'reservedConcurrency', 'provisionedConcurrency']) {
        // Memory and timeout always; concurrency where the function sets it (an HTTP or scheduled one may not).
        if (fn[key] === undefined && (key === 'reservedConcurrency' || key === 'provisionedConcurrency')) continue;
        assert.match(String(fn[key]), /^\$\{param:[A-Za-z]+\}$/, `${name}.${key} is a param`);
      }
      assert.equal(fn.vpc, '${self:custom.network.${param:network}}');
      assert.equal(typeof fn.role, 'string');
      roles.add(fn.role);
    }
    assert.equal(roles.size, Object.keys(config.functions).length);
  });

  test('AWS stages take DATABASE_URL from SSM; only dev, ci and test use the shell or the local default', async () => {
    assert.equal(config.provider.environment.DATABASE_URL, '${file(infra/aws/secrets/${param:secretSource}.yml):databaseUrl}');
    assert.equal(config.params.default?.secretSource, 'ssm');
    assert.equal(config.params.default?.network, 'private');
    for (const [stage, block] of Object.entries(config.params)) {
      if (stage === 'default') continue;
      const expected = LOCAL_STAGES.includes(stage) ? 'local' : 'ssm';
      assert.equal(paramsForStage(config, stage).secretSource, expected, `stage ${stage}`);
      assert.equal(paramsForStage(config, stage).network, LOCAL_STAGES.includes(stage) ? 'none' : 'private', `stage ${stage}`);
      // A stage block only overrides params that exist (a misspelt key would be ignored silently,
      // leaving the default in force), and each value it sets is the one the stage gets.
      assert.equal(typeof block, 'object', `stage ${stage} is a block of params`);
      const unknown = Object.keys(block).filter((key) => !(key in config.params.default!));
      assert.deepEqual(unknown, [], `stage ${stage} sets params that default does not declare`);
      for (const [key, value] of Object.entries(block)) assert.deepEqual(paramsForStage(config, stage)[key], value, `stage ${stage}: ${key}`);
    }
    // A stage not listed at all (e.g. "staging") gets the AWS defaults, never the local URL.
    assert.equal(paramsForStage(config, 'staging').secretSource, 'ssm');

    const ssm = (await loadCloudFormationYaml(join(AWS_DIR, 'secrets/ssm.yml'))) as { databaseUrl: string };
    assert.equal(ssm.databaseUrl, '${ssm:/ingest/${sls:stage}/database-url}');
    const local = (await loadCloudFormationYaml(join(AWS_DIR, 'secrets/local.yml'))) as { databaseUrl: string };
    assert.equal(local.databaseUrl, "${env:DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/ingest'}");
    // osls resolves every params block for every stage: an AWS lookup there would break offline packaging.
    assert.doesNotMatch(JSON.stringify(config.params), /\$\{(ssm|aws|cf|s3):/);
    assert.doesNotMatch(text, /postgres(ql)?:\/\/[^'"\s]*:[^'"\s@]+@/, 'no literal database password');
  });

  test('the function bundles target the Lambda runtime the functions run on', () => {
    const target = config.custom.esbuild?.target;
    for (const [name, fn] of Object.entries(config.functions)) {
      const runtime = String(fn.runtime ?? config.provider.runtime);
      const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
      assert.ok(major !== undefined, `${name} runs on a Node.js runtime, got ${runtime}`);
      // esbuild lowers syntax only for what the target lacks, so the target must be the runtime's own Node.
      assert.equal(target, `node${major}`, `${name}: esbuild target ${String(target)} for runtime ${runtime}`);
    }
  });

  test('the console answers every method under /console (more specific than the registry API’s catch-all) and its bundle carries the page', () => {
    assert.deepEqual(config.functions.console?.events, [
      { httpApi: { method: '*', path: '/console' } },
      { httpApi: { method: '*', path: '/console/{proxy+}' } },
    ]);
    assert.deepEqual(config.functions['registry-api']?.events, [{ httpApi: '*' }]);
    assert.equal(config.custom.esbuild?.plugins, 'infra/esbuild/consoleAssetsPlugin.cjs');
    const environmentOf = (name: string): Record<string, string> => config.functions[name]!.environment as Record<string, string>;
    assert.equal(environmentOf('console').REGISTRY_API_TOKEN, environmentOf('registry-api').REGISTRY_API_TOKEN);
  });

  test('the replay schedule is a stage parameter: on for dev, off for test and by default', () => {
    for (const param of ['dlqReplaySchedule', 'dlqReplayEnabled', 'registryApiMemorySize', 'registryApiReservedConcurrency', 'consoleReservedConcurrency']) {
      assert.ok(param in (config.params.default ?? {}), `param ${param}`);
    }
    assert.equal(config.params.default?.dlqReplayEnabled, false);
    assert.equal(config.params.dev?.dlqReplayEnabled, true);
    assert.equal(config.params.test?.dlqReplayEnabled, undefined);
  });
});

describe('infra/aws CloudFormation templates', () => {
  const templates = new Map<string, Template & { Outputs?: Record<string, { Export?: { Name: unknown } }> }>();

  before(async () => {
    for (const name of INFRA_TEMPLATES) templates.set(name, (await loadCloudFormationYaml(join(AWS_DIR, name))) as Template);
  });

  test('each parses as CloudFormation and follows the IAM rule', () => {
    for (const [name, template] of templates) {
      assert.ok(Object.keys(template.Resources ?? {}).length > 0, `${name} has resources`);
      assert.deepEqual(permissionViolations(template), [], name);
    }
  });

  test("the bridge may invoke exactly the stage's three functions (or their alias) and read only its NATS secrets", () => {
    const bridge = templates.get('bridge.yml')!;
    const invoke = identityStatements(bridge).find(({ statement }) => statement.Sid === 'InvokeStageFunctions')!.statement;
    assert.equal(invoke.Action, 'lambda:InvokeFunction');
    const [, aliased, plain] = (invoke.Resource as { 'Fn::If': [string, { 'Fn::Sub': string }[], { 'Fn::Sub': string }[]] })['Fn::If'];
    const arn = 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:ingest-${Stage}-';
    assert.deepEqual(
      plain.map((item) => item['Fn::Sub']),
      ['validate', 'route', 'sink-write'].map((fn) => `${arn}${fn}`),
    );
    assert.deepEqual(
      aliased.map((item) => item['Fn::Sub']),
      ['validate', 'route', 'sink-write'].map((fn) => `${arn}${fn}:\${InvokeAlias}`),
    );

    const secrets = identityStatements(bridge).find(({ statement }) => statement.Sid === 'NatsSecrets')!.statement;
    assert.equal(secrets.Action, 'secretsmanager:GetSecretValue');
    const refs = strings(secrets.Resource).filter((value) => value.startsWith('Nats'));
    assert.deepEqual(refs.sort(), [
      'NatsCredsSecretArn',
      'NatsPasswordSecretArn',
      'NatsTlsCaSecretArn',
      'NatsTlsCertSecretArn',
      'NatsTlsKeySecretArn',
      'NatsTokenSecretArn',
    ]);
  });

  test('a bridge deployment has its own consumer and filter; only the first creates the cluster', () => {
    const bridge = templates.get('bridge.yml')!;
    assert.equal(bridge.Resources!.Cluster!.Condition, 'OwnsCluster');
    const container = (bridge.Resources!.TaskDefinition!.Properties!.ContainerDefinitions as { Environment: unknown[] }[])[0]!;
    const environment = JSON.stringify(container.Environment);
    assert.match(environment, /"Name":"INGEST_CONSUMER","Value":\{"Ref":"ConsumerName"\}/);
    assert.match(environment, /"HasConsumerFilter",\{"Name":"INGEST_CONSUMER_FILTER","Value":\{"Ref":"ConsumerFilter"\}\}/);
    assert.deepEqual(bridge.Resources!.Service!.Properties!.ServiceName, { 'Fn::Sub': 'ingest-${Stage}-${Deployment}' });
  });

  test('the database is private, its master secret managed, and open on 5432 to the function and bridge groups only', () => {
    const database = templates.get('database.yml')!;
    const instance = database.Resources!.Database!.Properties!;
    assert.equal(instance.ManageMasterUserPassword, true);
    assert.equal(instance.PubliclyAccessible, false);
    assert.equal(instance.StorageEncrypted, true);
    const ingress = Object.values(database.Resources!).filter((resource) => resource.Type === 'AWS::EC2::SecurityGroupIngress');
    assert.deepEqual(
      ingress.map((rule) => [rule.Properties!.SourceSecurityGroupId, rule.Properties!.FromPort, rule.Properties!.ToPort]),
      [
        [{ Ref: 'LambdaSecurityGroup' }, 5432, 5432],
        [{ Ref: 'BridgeSecurityGroup' }, 5432, 5432],
      ],
    );
    assert.equal(database.Resources!.DatabaseSecurityGroup!.Properties!.SecurityGroupIngress, undefined);
  });

  test('every export that serverless.yml and bridge.yml import is one the database stack exports', async () => {
    const exported = new Set(
      Object.values(templates.get('database.yml')!.Outputs ?? {})
        .flatMap((output) => strings(output.Export?.Name))
        .map((name) => name.replace('${Stage}', '<stage>')),
    );
    const serverless = await loadCloudFormationYaml(join(ROOT, 'serverless.yml'));
    const imported = [
      ...importedNames(serverless).map((name) => name.replace('${sls:stage}', '<stage>')),
      ...importedNames(templates.get('bridge.yml')).map((name) => name.replace('${Stage}', '<stage>')),
    ];
    assert.ok(imported.length >= 4);
    for (const name of imported) assert.ok(exported.has(name), `${name} is exported by database.yml`);
  });
});

describe('the bridge image', () => {
  test('its bundle targets the Node.js of the image it runs in', async () => {
    const dockerfile = await readFile(join(AWS_DIR, 'Dockerfile'), 'utf8');
    const stages = [...dockerfile.matchAll(/^FROM node:(\d+)[^\s]*/gm)].map((match) => match[1]);
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    const runtime = stages.at(-1);
    assert.ok(
      stages.every((major) => major === runtime),
      `build and runtime stages use one Node.js major: ${stages.join(', ')}`,
    );
    assert.equal(/--target=node(\d+)/.exec(dockerfile)?.[1], runtime, 'esbuild --target of the bridge bundle');
  });
});

describe('the bridge image entrypoint', () => {
  test('writes file-shaped secrets to private files, points the *_FILE variables at them and drops the contents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-entrypoint-'));
    try {
      const { stdout } = await run('sh', [join(AWS_DIR, 'bridge-entrypoint.sh'), 'env'], {
        env: { PATH: process.env.PATH, INGEST_SECRETS_DIR: dir, NATS_CREDS_CONTENT: 'creds-body', NATS_TLS_CA_CONTENT: 'ca-body' },
      });
      const env = new Map(
        stdout
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      assert.equal(env.get('NATS_CREDS_FILE'), join(dir, 'nats.creds'));
      assert.equal(env.get('NATS_TLS_CA_FILE'), join(dir, 'nats-ca.pem'));
      assert.equal(env.has('NATS_TLS_CERT_FILE'), false);
      assert.equal(env.has('NATS_CREDS_CONTENT'), false);
      assert.doesNotMatch(stdout, /creds-body|ca-body/);
      assert.equal(await readFile(join(dir, 'nats.creds'), 'utf8'), 'creds-body\n');
      assert.equal((await stat(join(dir, 'nats.creds'))).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const NATS_SERVER = findExecutable('nats-server');

describe('infra/aws/nats JSON matches what the bridge provisions', () => {
  let dir: string;
  let server: ReturnType<typeof spawn> | undefined;
  let url: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-nats-json-'));
    const port = await freePort();
    // A private JetStream server on a free port: never the shared one on 4222.
    server = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), 10_000);
      server!.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    url = `nats://127.0.0.1:${port}`;
  });

  after(async () => {
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      process.kill(server.pid, 'SIGTERM');
      await exited;
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('streams and consumer, field by field', async () => {
    const config = loadBridgeConfig({ NATS_URL: url });
    const nc = await connectNats(config.nats.url, 'ingest-nats-json-test', config.nats.security);
    try {
      const jsm = await jetstreamManager(nc);
      await ensureTopology(jsm, config.nats, consumerSettingsFor(config));
      for (const [file, stream] of [
        ['ingest-stream.json', config.nats.ingest.name],
        ['deadletter-stream.json', config.nats.deadLetter.name],
        ['deadletter-payloads-stream.json', `OBJ_${config.nats.deadLetter.payloadBucket}`],
      ] as const) {
        const wanted = JSON.parse(await readFile(join(AWS_DIR, 'nats', file), 'utf8')) as Record<string, unknown>;
        const actual = (await jsm.streams.info(stream)).config as unknown as Record<string, unknown>;
        for (const [key, value] of Object.entries(wanted)) assert.deepEqual(actual[key], value, `${file} ${key}`);
      }
      const wanted = JSON.parse(await readFile(join(AWS_DIR, 'nats/ingest-bridge-consumer.json'), 'utf8')) as Record<string, unknown>;
      const actual = (await jsm.consumers.info(config.nats.ingest.name, config.nats.consumer)).config as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(wanted)) assert.deepEqual(actual[key], value, `consumer ${key}`);
      assert.equal(wanted.max_deliver, config.retry.maxDeliver);
    } finally {
      await nc.close();
    }
  });
});
