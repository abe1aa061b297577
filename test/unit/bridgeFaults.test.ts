import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../../cli/paths.ts';
import { ConfigError, knownVariables, loadBridgeConfig, TEST_ONLY_VARIABLES } from '../../shared/config/index.ts';

describe("the bridge's test-only fault points", () => {
  test('are off unless set', () => {
    assert.deepEqual(loadBridgeConfig({}).faults, { exitAt: undefined, deadLetterPublishFailures: 0 });
  });

  test('FAULT_BRIDGE_EXIT_AT takes each settlement step, FAULT_DEAD_LETTER_PUBLISH_FAILURES a count', () => {
    for (const step of ['before-sink-write', 'after-sink-commit', 'after-dead-letter-publish'] as const) {
      assert.equal(loadBridgeConfig({ FAULT_BRIDGE_EXIT_AT: step }).faults.exitAt, step);
    }
    assert.equal(loadBridgeConfig({ FAULT_DEAD_LETTER_PUBLISH_FAILURES: '3' }).faults.deadLetterPublishFailures, 3);
  });

  test('a value that names no step, or no count, is refused with the variable and what it takes', () => {
    assert.throws(
      () => loadBridgeConfig({ FAULT_BRIDGE_EXIT_AT: 'after-ack', FAULT_DEAD_LETTER_PUBLISH_FAILURES: '-1' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /FAULT_BRIDGE_EXIT_AT \(test-only\) must be one of before-sink-write, after-sink-commit, after-dead-letter-publish, got "after-ack"/,
        );
        assert.match(error.message, /FAULT_DEAD_LETTER_PUBLISH_FAILURES must be an integer in \[0, 1000000\], got "-1"/);
        return true;
      },
    );
  });

  test('every test-only variable is one a loader reads, and is a row of the table of test-only fault points in docs/testing.md', async () => {
    const known = knownVariables();
    const testingDoc = await readFile(join(ROOT, 'docs/testing.md'), 'utf8');
    const heading = testingDoc.indexOf('**Test-only fault points**');
    assert.ok(heading >= 0, 'docs/testing.md has the table of test-only fault points');
    // The table is the first run of `|` lines after the heading's paragraph.
    const rows = testingDoc
      .slice(heading)
      .split('\n\n')
      .find((block) => block.startsWith('|'))!
      .split('\n')
      .map((line) => /^\| `([A-Z_]+)` \|/.exec(line)?.[1])
      .filter((name) => name !== undefined);
    assert.deepEqual(rows.sort(), Object.keys(TEST_ONLY_VARIABLES).sort());
    for (const name of Object.keys(TEST_ONLY_VARIABLES)) assert.ok(known.has(name), `${name} is read by a loader`);
  });
});
