import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ROOT } from '../../cli/paths.ts';
import { REFERENCE_FILE, renderConfigurationReference } from '../../scripts/configReference.ts';
import { describeConfiguration, knownVariables, loadBridgeConfig, loadSinkConfig, VARIABLE_DESCRIPTIONS } from '../../shared/config/index.ts';

const KNOWN = new Set([...knownVariables(), ...knownVariables({ LAMBDA_ENDPOINT: 'http://127.0.0.1:3002' })]);

describe('the configuration reference (docs/configuration.md)', () => {
  test('every known variable has a description, and every description is of a known variable', () => {
    assert.deepEqual([...KNOWN].filter((name) => VARIABLE_DESCRIPTIONS[name] === undefined).sort(), [], 'add these to shared/config/descriptions.ts');
    assert.deepEqual(
      Object.keys(VARIABLE_DESCRIPTIONS)
        .filter((name) => !KNOWN.has(name))
        .sort(),
      [],
      'nothing reads these any more: remove them from shared/config/descriptions.ts',
    );
  });

  test('lists every known variable once, with the defaults and checks the loaders use', () => {
    const variables = describeConfiguration();
    assert.deepEqual(
      variables.map((variable) => variable.name),
      [...KNOWN].sort(),
    );
    const byName = new Map(variables.map((variable) => [variable.name, variable]));
    assert.equal(byName.get('BATCH_MAX_RECORDS')?.defaultText, `\`${loadBridgeConfig({}).batch.maxRecords}\``);
    assert.equal(byName.get('SINK_TARGET_DEADLINE_MS')?.defaultText, `\`${loadSinkConfig({}).isolation.deadlineMs}\``);
    assert.equal(byName.get('HTTP_SINK_TIMEOUT_MS')?.accepts, 'integer 100–20000');
    assert.deepEqual(byName.get('HTTP_SINK_ALLOWED_HOSTS')?.readers, ['sink-write', 'registry-api', 'console', 'CLI', 'npm start']);
    assert.equal(byName.get('NATS_PASSWORD')?.secret, true);
    assert.equal(byName.get('BATCH_MAX_RECORDS')?.secret, false);
    assert.equal(byName.get('AWS_ACCESS_KEY_ID')?.group, 'loaders', 'read only with LAMBDA_ENDPOINT set, and listed all the same');
    assert.equal(byName.get('FAULT_BRIDGE_EXIT_AT')?.group, 'test-only');
    assert.deepEqual(byName.get('BRIDGE_IMAGE_TAG')?.readers, ['infra/aws/deploy.sh']);
  });

  test('the text is the same on every machine: no path of this checkout in it', () => {
    assert.equal(renderConfigurationReference().includes(ROOT.replace(/\/$/, '')), false);
  });

  test('the committed file is what the generator writes', async () => {
    const committed = await readFile(REFERENCE_FILE, 'utf8');
    assert.ok(committed === renderConfigurationReference(), 'docs/configuration.md is stale: run `npm run docs:config` and commit the result');
  });
});
