import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { satisfies, subset } from 'semver';
import { ROOT } from '../../cli/paths.ts';

type LockedPackage = { version?: string; engines?: Record<string, string> | string[]; dev?: boolean; optional?: boolean };

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(join(ROOT, file), 'utf8')) as T;
}

describe('supported Node.js versions', () => {
  test('every locked package supports every Node.js version package.json claims, so npm ci warns about no engine', async () => {
    const { engines } = await readJson<{ engines: { node: string } }>('package.json');
    const lock = await readJson<{ packages: Record<string, LockedPackage> }>('package-lock.json');
    const excluding: string[] = [];
    for (const [path, locked] of Object.entries(lock.packages)) {
      if (path === '' || locked.engines === undefined || Array.isArray(locked.engines)) continue;
      const wanted = locked.engines.node;
      if (wanted === undefined) continue;
      if (!subset(engines.node, wanted)) excluding.push(`${path}@${locked.version ?? '?'} wants node ${wanted}`);
    }
    assert.deepEqual(excluding, [], `package.json engines "${engines.node}" promises versions these packages exclude`);
  });

  test('the Node.js running the tests is one package.json supports', async () => {
    const { engines } = await readJson<{ engines: { node: string } }>('package.json');
    assert.ok(satisfies(process.versions.node, engines.node), `node ${process.versions.node} is outside "${engines.node}"`);
  });

  test('the README states the same range as package.json', async () => {
    const { engines } = await readJson<{ engines: { node: string } }>('package.json');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes(`\`${engines.node}\``), `README names the supported range \`${engines.node}\``);
  });

  test('the @nats-io packages move together', async () => {
    const { dependencies } = await readJson<{ dependencies: Record<string, string> }>('package.json');
    const versions = new Set(
      Object.entries(dependencies)
        .filter(([name]) => name.startsWith('@nats-io/'))
        .map(([, version]) => version),
    );
    assert.equal(versions.size, 1, `one version for all @nats-io packages, got ${[...versions].join(', ')}`);
  });
});
