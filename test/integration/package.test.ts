import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../cli/paths.ts';
import { identityStatements, permissionViolations, WILDCARD_RESOURCE_EXCEPTIONS } from '../../infra/aws/permissions.ts';
import { loadCloudFormationYaml, type Params, paramsForStage } from '../../infra/aws/templates.ts';

const run = promisify(execFile);
/** Function name → the prefix of its params in serverless.yml. A new function is added here. */
const FUNCTIONS = {
  validate: 'validate',
  route: 'route',
  'sink-write': 'sinkWrite',
  'registry-api': 'registryApi',
  'dlq-replay': 'dlqReplay',
  console: 'console',
} as const;
const FUNCTION_NAMES = Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[];

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Conditions?: Record<string, unknown> };

/** `osls package` into a temp dir, offline, with dummy credentials and no DATABASE_URL in the environment. */
async function packageStage(stage: string, extraArgs: string[] = []): Promise<{ output: string; template: Template }> {
  const output = await mkdtemp(join(tmpdir(), `ingest-package-${stage}-`));
  await run(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', stage, '--package', output, ...extraArgs], {
    cwd: ROOT,
    // A work folder of its own: serverless-offline started by other test files uses .esbuild/offline-<port>.
    env: {
      PATH: process.env.PATH,
      HOME: output,
      AWS_ACCESS_KEY_ID: 'dummy',
      AWS_SECRET_ACCESS_KEY: 'dummy',
      ESBUILD_WORK_FOLDER: `.esbuild/package-${basename(output)}`,
    },
    timeout: 180_000,
  });
  const template = JSON.parse(await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  return { output, template };
}

function lambdaFunctions(template: Template): Map<string, Resource> {
  const functions = new Map<string, Resource>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') functions.set(String(resource.Properties.FunctionName), resource);
  }
  return functions;
}

/** The role logical id a function's `Role: { Fn::GetAtt: [id, Arn] }` points at. */
function roleOf(fn: Resource): string {
  const role = fn.Properties.Role as { 'Fn::GetAtt'?: [string, string] };
  assert.ok(role['Fn::GetAtt'], `role is a reference to a role in this template: ${JSON.stringify(fn.Properties.Role)}`);
  return role['Fn::GetAtt'][0];
}

/** The action rows of the permissions table in docs/deploy.md whose resource is `*`. */
async function documentedWildcardActions(): Promise<string[]> {
  const deployDoc = await readFile(join(ROOT, 'docs/deploy.md'), 'utf8');
  const start = deployDoc.indexOf('\n## Permissions');
  assert.ok(start >= 0, 'docs/deploy.md has a "## Permissions" section');
  const end = deployDoc.indexOf('\n## ', start + 1);
  const section = deployDoc.slice(start, end < 0 ? undefined : end);
  const actions: string[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // | role | actions | resources | why |  →  ['', role, actions, resources, why, '']
    if (cells.length >= 5 && cells[3] === '`*`') actions.push(...[...cells[2]!.matchAll(/`([a-z0-9-]+:[A-Za-z]+)`/g)].map((match) => match[1]!));
  }
  return actions.sort();
}

describe('serverless package, stage ci (offline, dummy credentials)', () => {
  let output: string;
  let template: Template;
  let params: Params;

  before(async () => {
    ({ output, template } = await packageStage('ci'));
    params = paramsForStage(await loadCloudFormationYaml(join(ROOT, 'serverless.yml')), 'ci');
  });

  after(async () => {
    if (output !== undefined) await rm(output, { recursive: true, force: true });
  });

  test('produces one artifact per function', async () => {
    for (const name of FUNCTION_NAMES) {
      const artifact = await stat(join(output, `${name}.zip`));
      assert.ok(artifact.size > 1000, `${name}.zip has content`);
    }
  });

  test('the template declares each function with its handler and runtime', () => {
    const functions = lambdaFunctions(template);
    assert.deepEqual([...functions.keys()].sort(), FUNCTION_NAMES.map((name) => `ingest-ci-${name}`).sort());
    for (const fn of functions.values()) {
      assert.equal(fn.Properties.Runtime, 'nodejs22.x');
      assert.match(String(fn.Properties.Handler), /^functions\/[a-z-]+\/handler\.handler$/);
    }
  });

  test('memory, timeout and reserved concurrency come from the stage params; no provisioned alias at 0', () => {
    const functions = lambdaFunctions(template);
    for (const name of FUNCTION_NAMES) {
      const prefix = FUNCTIONS[name];
      const fn = functions.get(`ingest-ci-${name}`)!;
      for (const [property, param] of [
        ['MemorySize', 'MemorySize'],
        ['Timeout', 'Timeout'],
        ['ReservedConcurrentExecutions', 'ReservedConcurrency'],
      ] as const) {
        if (param === 'ReservedConcurrency' && params[`${prefix}${param}`] === undefined) continue; // not every function reserves
        assert.equal(typeof params[`${prefix}${param}`], 'number', `param ${prefix}${param} is set`);
        assert.equal(fn.Properties[property], params[`${prefix}${param}`], `${name} ${property}`);
      }
      assert.ok((params[`${prefix}ProvisionedConcurrency`] ?? 0) === 0, `${name}: no provisioned concurrency in ci`);
    }
    assert.equal(Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Alias').length, 0);
  });

  test('a local stage has no VPC and no AWS lookup: DATABASE_URL is the local default', () => {
    for (const fn of lambdaFunctions(template).values()) {
      assert.equal(fn.Properties.VpcConfig, undefined);
      const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      assert.equal(variables.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/ingest');
    }
    assert.deepEqual(template.Conditions, {
      InVpc: { 'Fn::Equals': ['none', 'private'] },
      DatabaseUrlFromSsm: { 'Fn::Equals': ['local', 'ssm'] },
    });
  });

  test('one role per function, none shared, and no default role', () => {
    const functions = lambdaFunctions(template);
    const roles = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
      .map(([id]) => id);
    assert.equal(template.Resources.IamRoleLambdaExecution, undefined);
    const used = [...functions.values()].map(roleOf);
    assert.equal(new Set(used).size, functions.size, 'each function has a role of its own');
    assert.deepEqual(used.sort(), roles.sort(), 'every role in the template belongs to exactly one function');
  });

  test("each role's log statement names its own function's log group only", () => {
    for (const [name, fn] of lambdaFunctions(template)) {
      const statements = identityStatements(template).filter(({ resource }) => resource === roleOf(fn));
      const logs = statements.filter(({ statement }) => statement.Sid === 'OwnLogGroup');
      assert.equal(logs.length, 1);
      assert.deepEqual(logs[0]!.statement.Resource, {
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${name}:*`,
      });
    }
  });

  test('no "*" action, and "*" resources only for the documented exceptions', () => {
    assert.deepEqual(permissionViolations(template), []);
    // The ENI exception is present (behind the InVpc condition) and is the only "*" resource.
    const wildcard = identityStatements(template).filter(({ statement }) => statement.Resource === '*');
    assert.deepEqual(new Set(wildcard.map(({ statement }) => statement.Sid)), new Set(['VpcNetworkInterfaces']));
  });

  test('the permissions table of docs/deploy.md lists exactly the allowed "*" exceptions', async () => {
    const allowed = WILDCARD_RESOURCE_EXCEPTIONS.flatMap((exception) => exception.actions).sort();
    assert.deepEqual(await documentedWildcardActions(), allowed);
  });
});

describe('serverless package, stage prod (the SSM lookup swapped for the local source)', () => {
  let output: string;
  let template: Template;
  let params: Params;

  before(async () => {
    // secretSource=local is the one change: everything else is what `osls deploy --stage prod` builds.
    ({ output, template } = await packageStage('prod', ['--param', 'secretSource=local', '--param', 'validateProvisionedConcurrency=2']));
    params = paramsForStage(await loadCloudFormationYaml(join(ROOT, 'serverless.yml')), 'prod');
  });

  after(async () => {
    if (output !== undefined) await rm(output, { recursive: true, force: true });
  });

  test("functions run in the database stack's subnets and security group, with prod's scaling", () => {
    for (const name of FUNCTION_NAMES) {
      const fn = lambdaFunctions(template).get(`ingest-prod-${name}`)!;
      assert.deepEqual(fn.Properties.VpcConfig, {
        SecurityGroupIds: [{ 'Fn::ImportValue': 'ingest-prod-lambda-security-group' }],
        SubnetIds: { 'Fn::Split': [',', { 'Fn::ImportValue': 'ingest-prod-private-subnets' }] },
      });
      assert.equal(fn.Properties.ReservedConcurrentExecutions, params[`${FUNCTIONS[name]}ReservedConcurrency`]);
    }
    assert.deepEqual(template.Conditions?.InVpc, { 'Fn::Equals': ['private', 'private'] });
    assert.deepEqual(permissionViolations(template), []);
  });

  test('provisioned concurrency above 0 publishes the `provisioned` alias the bridge can invoke', () => {
    const aliases = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Alias');
    assert.equal(aliases.length, 1);
    assert.equal(aliases[0]!.Properties.Name, 'provisioned');
    assert.deepEqual(aliases[0]!.Properties.ProvisionedConcurrencyConfig, { ProvisionedConcurrentExecutions: 2 });
  });
});
