import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseProfileArgs, ProfilePathError, summariseProfiles } from '../../bench/profileSummary.ts';

const dir = mkdtempSync(join(tmpdir(), 'profile-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A V8 profile of three functions: 60 ms in `hot` (a package), 30 ms in `warm`, 10 ms idle. */
function writeProfile(name: string): string {
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('hot', 'file:///x/node_modules/@scope/pkg/lib/a.js') },
      { id: 3, callFrame: frame('warm', 'file:///x/src/b.ts') },
      { id: 4, callFrame: frame('(idle)', '') },
    ],
    samples: [2, 2, 3, 4, 2],
    // timeDeltas[i + 1] is what sample i stands for.
    timeDeltas: [0, 30_000, 30_000, 30_000, 10_000, 0],
  };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

describe('bench:profile', () => {
  test('--match totals the self time of matching functions as a share of busy time', () => {
    const file = writeProfile('a.cpuprofile');
    const text = summariseProfiles([file], { top: 2, match: ['@scope/pkg', 'nothing-matches'] });
    assert.match(text, /0\.09 s busy of 0\.10 s sampled/);
    assert.match(text, / 66\.7 % {2}@scope\/pkg\n/);
    assert.match(text, / {2}0\.0 % {2}nothing-matches/);
  });

  test('a missing path is a clear error naming it', () => {
    assert.throws(
      () => summariseProfiles([join(dir, 'absent')]),
      (error: unknown) => error instanceof ProfilePathError && /no such file or directory: .*absent/.test(error.message),
    );
  });

  test('bad options are refused with the reason', () => {
    assert.throws(() => parseProfileArgs(['--top', 'x', dir]), /--top must be a whole number ≥ 1, got "x"/);
    assert.throws(() => parseProfileArgs(['--top', '0', dir]), /--top must be a whole number/);
    assert.throws(() => parseProfileArgs([]), /give at least one \.cpuprofile file or directory/);
    assert.throws(() => parseProfileArgs(['--bogus', dir]), /Unknown option '--bogus'/);
    assert.equal(parseProfileArgs(['--help']).help, true);
  });
});
