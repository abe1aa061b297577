import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../cli/paths.ts';

const run = promisify(execFile);
const FUNCTIONS = ['validate', 'route', 'sink-write'];

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

describe('serverless package (offline, dummy credentials)', () => {
  let output: string;
  let template: Template;

  before(async () => {
    output = await mkdtemp(join(tmpdir(), 'ingest-package-'));
    await run(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'ci', '--package', output], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: output, AWS_ACCESS_KEY_ID: 'dummy', AWS_SECRET_ACCESS_KEY: 'dummy' },
      timeout: 180_000,
    });
    template = JSON.parse(await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  });

  after(async () => {
    if (output !== undefined) await rm(output, { recursive: true, force: true });
  });

  test('produces one artifact per function', async () => {
    for (const name of FUNCTIONS) {
      const artifact = await stat(join(output, `${name}.zip`));
      assert.ok(artifact.size > 1000, `${name}.zip has content`);
    }
  });

  test('the template declares each function with its handler and runtime', () => {
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const names = functions.map((fn) => fn.Properties.FunctionName).sort();
    assert.deepEqual(names, FUNCTIONS.map((name) => `ingest-ci-${name}`).sort());
    for (const fn of functions) {
      assert.equal(fn.Properties.Runtime, 'nodejs22.x');
      assert.match(String(fn.Properties.Handler), /^functions\/[a-z-]+\/handler\.handler$/);
    }
  });
});
