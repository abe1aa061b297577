import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readerChangeProblems } from '../../shared/xregistry/readers.ts';
import type { SchemaVersionRow } from '../../shared/xregistry/types.ts';

function version(versionid: string, fields: { name: string; type: unknown; default?: unknown }[]): SchemaVersionRow {
  return {
    schemagroupid: 'g',
    schemaid: 's',
    versionid,
    numericid: Number(versionid),
    epoch: 1,
    name: null,
    description: null,
    labels: {},
    createdat: new Date(0),
    modifiedat: new Date(0),
    format: 'Avro/1.12',
    contenttype: 'application/json',
    document: { type: 'record', name: 'E', fields: [{ name: 'id', type: 'string' }, ...fields] },
    fingerprint: versionid,
    fingerprints: { spec: versionid },
    ancestorid: versionid,
    attributes: {},
    position: Number(versionid),
  };
}

const withUnit = version('1', [{ name: 'unit', type: 'string' }]);
const bare = version('2', []);
const withZone = version('3', [{ name: 'zone', type: ['null', 'string'], default: null }]);

describe('what a new reader must read when it takes over a route', () => {
  test('the data of the version the route reads now', () => {
    assert.deepEqual(readerChangeProblems(withZone, bare, [withUnit, bare, withZone], 'raw'), [], 'bare reads zone data by skipping the field');
    const problems = readerChangeProblems(bare, withUnit, [withUnit, bare], 'raw');
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /version 1 cannot read version 2 data: .*unit/);
  });

  test('framed routes: also every other version the current reader accepts as a writer', () => {
    // The route reads zone (v3); producers may still frame v1 data, which v3 reads by ignoring unit.
    // Deleting v3 makes v2 the reader: it reads v3 data, and v1 data too (unit is skipped).
    assert.deepEqual(readerChangeProblems(withZone, bare, [withUnit, bare, withZone], 'schema-id'), []);
    // With a reader that needs unit, the writers without it break: v2 data named by the frame.
    const needsUnit = version('4', [
      { name: 'unit', type: 'string' },
      { name: 'zone', type: ['null', 'string'], default: null },
    ]);
    const problems = readerChangeProblems(withZone, needsUnit, [withUnit, bare, withZone], 'confluent');
    assert.ok(
      problems.some((problem) => /version 4 cannot read version 3 data/.test(problem)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((problem) => /version 4 cannot read version 2 data/.test(problem)),
      problems.join('\n'),
    );
    assert.ok(!problems.some((problem) => /version 1 data/.test(problem)), 'v1 has unit');
    // Raw payloads carry no writer id: only the current reader's data counts.
    assert.ok(!readerChangeProblems(withZone, needsUnit, [withUnit, bare, withZone], 'raw').some((problem) => /version 2 data/.test(problem)));
  });
});
