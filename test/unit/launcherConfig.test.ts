import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadLauncherConfig } from '../../shared/config/index.ts';

describe('launcher configuration (npm start)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-launcher-config-'));
    await writeFile(join(dir, 'a-file'), '');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("defaults: the repository's .local/ and infra/registry/, ports 3002 and 3000", () => {
    const config = loadLauncherConfig({});
    const root = resolve(import.meta.dirname, '../..');
    assert.equal(config.dataDir, join(root, '.local'));
    assert.equal(config.registryDir, join(root, 'infra/registry'));
    assert.deepEqual([config.offlineLambdaPort, config.offlineHttpPort, config.stage], [3002, 3000, 'dev']);
  });

  test('directories may be given, relative ones taken from the working directory', () => {
    const config = loadLauncherConfig({ LOCAL_DATA_DIR: join(dir, 'not-yet-there'), LOCAL_REGISTRY_DIR: dir });
    assert.equal(config.dataDir, join(dir, 'not-yet-there'));
    assert.equal(config.registryDir, dir);
    assert.equal(loadLauncherConfig({ LOCAL_DATA_DIR: 'relative' }).dataDir, resolve('relative'));
  });

  test('every bad setting is reported at once, with its variable', () => {
    assert.throws(
      () =>
        loadLauncherConfig({
          LOCAL_DATA_DIR: join(dir, 'a-file'),
          LOCAL_REGISTRY_DIR: join(dir, 'missing'),
          OFFLINE_LAMBDA_PORT: 'http',
          STAGE: 'Not A Stage',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const problems = error.problems.join('\n');
        assert.match(problems, /LOCAL_DATA_DIR ".*a-file" exists and is not a directory/);
        assert.match(problems, /LOCAL_REGISTRY_DIR ".*missing" is not a directory/);
        assert.match(problems, /OFFLINE_LAMBDA_PORT must be an integer/);
        assert.match(problems, /STAGE must be/);
        return true;
      },
    );
  });

  test('the two serverless-offline ports must differ', () => {
    assert.throws(
      () => loadLauncherConfig({ OFFLINE_LAMBDA_PORT: '4000', OFFLINE_HTTP_PORT: '4000' }),
      /OFFLINE_LAMBDA_PORT and OFFLINE_HTTP_PORT must differ \(both are 4000\)/,
    );
  });
});
