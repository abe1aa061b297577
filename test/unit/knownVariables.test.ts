import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../../cli/paths.ts';
import { loadCloudFormationYaml } from '../../infra/aws/templates.ts';
import { closestVariable, findUnknownVariables, knownVariables, planePrefixes } from '../../shared/config/index.ts';

const KNOWN = knownVariables();
const PREFIXES = planePrefixes(KNOWN);

/** Upper-case names (A_B...) in a text that start with one of the plane's prefixes. */
function prefixedNames(text: string): string[] {
  const names = text.match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b/g) ?? [];
  return [...new Set(names)].filter((name) => [...PREFIXES].some((prefix) => name.startsWith(prefix)));
}

/** The `Name:` of every environment entry of every container in a CloudFormation template. */
function containerEnvironmentNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(containerEnvironmentNames);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = Array.isArray(record.Environment)
    ? record.Environment.flatMap((entry: unknown) => {
        const name = (entry as { Name?: unknown } | null)?.Name;
        return typeof name === 'string' ? [name] : [];
      })
    : [];
  return [...own, ...Object.values(record).flatMap(containerEnvironmentNames)];
}

describe('unknown-variable warnings: the pure logic', () => {
  test('the closest known name is the one with the smallest edit distance', () => {
    assert.equal(closestVariable('BATCH_MAX_RECORD', KNOWN), 'BATCH_MAX_RECORDS');
    assert.equal(closestVariable('NATS_PASWORD', KNOWN), 'NATS_PASSWORD');
    assert.equal(closestVariable('DLQ_REPLAY_LIMITS', KNOWN), 'DLQ_REPLAY_LIMIT');
    assert.equal(closestVariable('X', []), undefined);
    // A tie goes to the alphabetically first, so the suggestion does not depend on set order.
    assert.equal(closestVariable('AB_C', new Set(['AB_D', 'AB_B'])), 'AB_B');
  });

  test('only names with a plane prefix that nothing reads are reported, each with its closest known name', () => {
    const present = [
      'BATCH_MAX_RECORD',
      'BATCH_MAX_RECORDS',
      'PATH',
      'HOME',
      'HTTP_PROXY',
      'AWS_LAMBDA_FUNCTION_NAME',
      'LAMBDA_TASK_ROOT',
      'HTTP_SINK_TIMEOUT',
      'npm_config_cache',
      'SINK_CIRCUIT_FAILURE',
    ];
    assert.deepEqual(findUnknownVariables(present, KNOWN, PREFIXES), [
      { name: 'BATCH_MAX_RECORD', closest: 'BATCH_MAX_RECORDS' },
      { name: 'HTTP_SINK_TIMEOUT', closest: 'HTTP_SINK_TIMEOUT_MS' },
      { name: 'SINK_CIRCUIT_FAILURE', closest: 'SINK_CIRCUIT_FAILURES' },
    ]);
  });

  test("prefixes come from the known names; AWS_ is the SDK's and HTTP_ is shared, so neither is claimed whole", () => {
    for (const prefix of [
      'BATCH_',
      'BRIDGE_',
      'DLQ_',
      'INGEST_',
      'NATS_',
      'DEADLETTER_',
      'REGISTRY_',
      'SINK_',
      'RETRY_',
      'LAMBDA_',
      'DATABASE_',
      'HTTP_SINK_',
    ]) {
      assert.ok(PREFIXES.has(prefix), prefix);
    }
    assert.equal(PREFIXES.has('AWS_'), false);
    assert.equal(PREFIXES.has('HTTP_'), false);
    assert.deepEqual(planePrefixes(['STAGE', 'AWS_REGION', 'HTTP_SINK_TIMEOUT_MS', 'HTTP_X']), new Set(['HTTP_SINK_']));
  });
});

describe('the known variables come from the loaders themselves', () => {
  test('a variable a loader reads is known without being listed anywhere else', () => {
    for (const name of [
      'BATCH_MAX_RECORDS',
      'SINK_CIRCUIT_OPEN_MS',
      'DLQ_REPLAY_RATE_PER_SECOND',
      'REGISTRY_API_TOKEN',
      'OFFLINE_LAMBDA_PORT',
      'REGISTRY_URL',
    ]) {
      assert.ok(KNOWN.has(name), name);
    }
  });

  test('a variable read only when another is set is known when that one is set', () => {
    assert.equal(knownVariables({}).has('AWS_ACCESS_KEY_ID'), false);
    assert.ok(knownVariables({ LAMBDA_ENDPOINT: 'http://127.0.0.1:3002' }).has('AWS_ACCESS_KEY_ID'));
  });

  test("an invalid value neither throws here nor hides a loader's variables", () => {
    const known = knownVariables({ BATCH_MAX_RECORDS: 'lots', NATS_URL: 'http://wrong' });
    assert.ok(known.has('DRAIN_TIMEOUT_MS'));
    assert.ok(known.has('DLQ_REPLAY_LIMIT'));
  });

  test('every plane-prefixed variable the shell scripts read is known', async () => {
    const scripts = ['infra/aws/deploy.sh', 'infra/aws/bridge-entrypoint.sh', 'scripts/ensure-deps.sh'];
    for (const script of scripts) {
      for (const name of prefixedNames(await readFile(join(ROOT, script), 'utf8')))
        assert.ok(KNOWN.has(name), `${script} reads ${name}, which knownVariables() does not know`);
    }
  });

  test('every plane-prefixed variable a test reads from its environment is known', async () => {
    for (const folder of ['test/unit', 'test/integration', 'test/helpers']) {
      for (const file of (await readdir(join(ROOT, folder))).filter((name) => name.endsWith('.ts'))) {
        const text = await readFile(join(ROOT, folder, file), 'utf8');
        for (const [, name] of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) {
          if ([...PREFIXES].some((prefix) => name!.startsWith(prefix))) assert.ok(KNOWN.has(name!), `${folder}/${file} reads ${name}`);
        }
      }
    }
  });

  test('every variable the deployment templates set is known', async () => {
    const serverless = (await loadCloudFormationYaml(join(ROOT, 'serverless.yml'))) as {
      provider: { environment?: Record<string, unknown> };
      functions: Record<string, { environment?: Record<string, unknown> }>;
    };
    const set = [
      ...Object.keys(serverless.provider.environment ?? {}),
      ...Object.values(serverless.functions).flatMap((fn) => Object.keys(fn.environment ?? {})),
      ...containerEnvironmentNames(await loadCloudFormationYaml(join(ROOT, 'infra/aws/bridge.yml'))),
    ];
    assert.ok(set.includes('DATABASE_URL') && set.includes('NATS_URL'), 'both templates were read');
    // NODE_OPTIONS is Node's own, not the plane's.
    const unknown = [...new Set(set)].filter((name) => name !== 'NODE_OPTIONS' && !KNOWN.has(name));
    assert.deepEqual(unknown, []);
  });

  test('every variable in a configuration table of the README or docs/ is one the plane reads', async () => {
    const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => join('docs', name));
    const texts = await Promise.all(['README.md', ...docs].map((file) => readFile(join(ROOT, file), 'utf8')));
    const documented = new Set<string>();
    let inVariableTable = false;
    for (const line of texts.join('\n\n').split('\n')) {
      if (!line.startsWith('|')) {
        inVariableTable = false;
        continue;
      }
      if (/^\|\s*variable\s*\|/.test(line)) inVariableTable = true;
      const first = line.split('|')[1] ?? '';
      if (inVariableTable) for (const [, name] of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) documented.add(name!);
    }
    assert.ok(documented.size > 20, `found ${documented.size} documented variables`);
    // AWS_ACCESS_KEY_ID is read only when LAMBDA_ENDPOINT is set, and documented all the same.
    const read = new Set([...KNOWN, ...knownVariables({ LAMBDA_ENDPOINT: 'http://127.0.0.1:3002' })]);
    assert.deepEqual(
      [...documented].filter((name) => !read.has(name)),
      [],
    );
  });
});
