import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkEpoch, checkId, mergePatch, nextCommon, optionalString, READ_ONLY, rejectUnknown, requireObject } from '../../shared/xregistry/attributes.ts';
import { isObject } from '../../shared/json/index.ts';
import { checkEnvelopeFields } from '../../shared/xregistry/envelope.ts';
import { XRegistryError } from '../../shared/xregistry/errors.ts';
import { assertId, assertUniqueIgnoringCase, findSibling, isXRegistryId } from '../../shared/xregistry/ids.ts';
import { checkSchemaLimits, jsonDepth, SCHEMA_LIMITS } from '../../shared/xregistry/limits.ts';
import { schemaXid, versionXid } from '../../shared/names/xids.ts';
import { parseSchemaXid } from '../../shared/xregistry/references.ts';

/** An XRegistryError with this code and HTTP status whose message is exactly `message`. */
function registryError(code: string, status: number, message: string, subject?: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof XRegistryError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    assert.equal(error.message, message);
    assert.equal(error.subject, subject);
    return true;
  };
}

describe('registry ids (xRegistry rc4)', () => {
  test('1 to 128 unreserved characters plus : and @, starting with a letter, digit or _', () => {
    for (const id of ['a', 'A', '0', '_', 'metrics.cpu', 'a~b:c@d-e', `a${'b'.repeat(127)}`]) assert.equal(isXRegistryId(id), true, id);
    for (const id of ['', '.a', '-a', '~a', `a${'b'.repeat(128)}`, 'a/b', 'a b', 'a%20', 'ä', 'a\n'])
      assert.equal(isXRegistryId(id), false, JSON.stringify(id));
  });

  test('assertId returns a valid id and refuses another as invalid_data naming what it is', () => {
    assert.equal(assertId('metrics', 'schemagroup id'), 'metrics');
    assert.throws(
      () => assertId('a/b', 'schemagroup id'),
      registryError('invalid_data', 400, 'schemagroup id "a/b" is not a valid id (1-128 of A-Z a-z 0-9 . _ ~ : @ -, starting with a letter, digit or _)'),
    );
  });

  test('ids are unique regardless of case; the same id again is an update, not a conflict', () => {
    assert.doesNotThrow(() => assertUniqueIgnoringCase(['metrics', 'orders'], 'metrics', '/schemagroups'));
    assert.doesNotThrow(() => assertUniqueIgnoringCase(['metrics'], 'metricsx', '/schemagroups'));
    assert.throws(
      () => assertUniqueIgnoringCase(['orders', 'metrics'], 'Metrics', '/schemagroups'),
      registryError(
        'conflict',
        409,
        '/schemagroups: "metrics" already exists there, and ids are unique regardless of case; use "metrics" or another id',
        '/schemagroups',
      ),
    );
    assert.throws(() => assertUniqueIgnoringCase(new Set(['METRICS']), 'metrics', '/g'), /"METRICS" already exists/);
  });

  test('findSibling finds the row with exactly that id, an update even beside a case twin; a new id that differs from a sibling only by case is a conflict', () => {
    // Case twins can only come from data stored before the rule; an exact id still finds its own row.
    const rows = [{ id: 'orders' }, { id: 'metrics' }, { id: 'METRICS' }];
    const idOf = (row: { id: string }): string => row.id;
    assert.equal(findSibling(rows, idOf, 'metrics', '/g'), rows[1], 'its own row, not the first one, and no conflict with METRICS');
    assert.equal(findSibling(rows, idOf, 'METRICS', '/g'), rows[2]);
    assert.equal(findSibling(rows, idOf, 'billing', '/g'), undefined, 'a new id: nothing found, nothing refused');
    assert.equal(findSibling([], idOf, 'billing', '/g'), undefined);
    assert.throws(
      () => findSibling(rows, idOf, 'Metrics', '/schemagroups'),
      registryError(
        'conflict',
        409,
        '/schemagroups: "metrics" already exists there, and ids are unique regardless of case; use "metrics" or another id',
        '/schemagroups',
      ),
    );
  });
});

describe('schema size limits', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i++) value = { inner: value };
    return value;
  };

  test('depth counts objects and arrays, not scalars, and stops one level past the limit', () => {
    assert.equal(jsonDepth(null, 5), 0);
    assert.equal(jsonDepth([], 5), 1);
    assert.equal(jsonDepth([[], {}], 5), 2);
    assert.equal(jsonDepth({ a: 1, b: { c: [1] } }, 5), 3);
    assert.equal(jsonDepth(nested(10), 5), 6, 'a limit of 5 stops at 6');
    assert.equal(jsonDepth(nested(10), 10), 10);
  });

  test('exactly the maximum depth is accepted; one more level is refused with where and how deep', () => {
    assert.doesNotThrow(() => checkSchemaLimits(nested(SCHEMA_LIMITS.depth), 'g/s'));
    assert.throws(
      () => checkSchemaLimits(nested(SCHEMA_LIMITS.depth + 1), 'g/s'),
      registryError('invalid_data', 400, 'g/s: the schema nests more than 64 levels deep; at most 64 are allowed', 'g/s'),
    );
  });

  test('exactly the maximum size is accepted; one byte more is refused with the size', () => {
    const document = (bytes: number): string => 'x'.repeat(bytes - 2); // JSON adds the two quotes
    assert.equal(SCHEMA_LIMITS.bytes, 262_144);
    assert.doesNotThrow(() => checkSchemaLimits(document(SCHEMA_LIMITS.bytes), 'g/s'));
    assert.throws(
      () => checkSchemaLimits(document(SCHEMA_LIMITS.bytes + 1), 'g/s'),
      registryError('invalid_data', 400, 'g/s: the schema is 262145 bytes; at most 262144 are allowed', 'g/s'),
    );
    assert.throws(() => checkSchemaLimits({ doc: 'é'.repeat(SCHEMA_LIMITS.bytes / 2) }, 'g/s'), /bytes; at most/, 'bytes, not characters');
    assert.doesNotThrow(() => checkSchemaLimits(undefined, 'g/s'));
  });
});

describe('schema references', () => {
  test('a schema xid names a group, a schema and optionally a version', () => {
    assert.deepEqual(parseSchemaXid('/schemagroups/g/schemas/s'), { group: 'g', schema: 's', version: undefined });
    assert.deepEqual(parseSchemaXid('/schemagroups/g/schemas/s/versions/3'), { group: 'g', schema: 's', version: '3' });
    assert.equal(schemaXid('g', 's'), '/schemagroups/g/schemas/s');
    assert.equal(versionXid('g', 's', '3'), '/schemagroups/g/schemas/s/versions/3');
    assert.deepEqual(parseSchemaXid(versionXid('metrics', 'cpu', '12')), { group: 'metrics', schema: 'cpu', version: '12' });
  });

  test('anything else is refused as invalid_data with the expected shape', () => {
    for (const xid of [
      'schemagroups/g/schemas/s',
      '/schemagroups/g/schemas/s/',
      '/schemagroups//schemas/s',
      '/schemagroups/g/schemas/s/versions/',
      '/schemagroups/g/schemas/s/versions/1/x',
      '/schemagroups/g/x/s',
      'x/schemagroups/g/schemas/s',
      '/schemagroups/g/schemas/s/extra',
    ]) {
      assert.throws(
        () => parseSchemaXid(xid),
        registryError('invalid_data', 400, `dataschemaxid "${xid}" must be /schemagroups/<group>/schemas/<schema>[/versions/<version>]`),
        xid,
      );
    }
  });
});

describe('envelope fields every event schema must have', () => {
  const record = (...fields: unknown[]) => ({ type: 'record', name: 'E', fields });

  test('a record with a string id, and a time that is a long or a timestamp-millis long, is fine', () => {
    assert.deepEqual(checkEnvelopeFields(record({ name: 'id', type: 'string' })), []);
    assert.deepEqual(checkEnvelopeFields(record({ name: 'id', type: 'string' }, { name: 'time', type: 'long' })), []);
    assert.deepEqual(
      checkEnvelopeFields(record({ name: 'id', type: 'string' }, { name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } })),
      [],
    );
  });

  test('not a record: one problem', () => {
    for (const definition of ['string', null, [], { type: 'enum', fields: [] }, { type: 'record' }, { type: 'record', fields: {} }]) {
      assert.deepEqual(checkEnvelopeFields(definition), ['the schema must be an Avro record'], JSON.stringify(definition));
    }
  });

  test('a missing or non-string id and a wrong time are each named', () => {
    const idProblem =
      'the schema needs a field "id" of type string (the event id), or its message group envelope CloudEvents/1.0 (the id then comes from ce-id)';
    const timeProblem = 'field "time" must be a long with logicalType timestamp-millis';
    assert.deepEqual(checkEnvelopeFields(record({ name: 'key', type: 'string' })), [idProblem]);
    assert.deepEqual(checkEnvelopeFields(record({ name: 'id', type: 'long' })), [idProblem]);
    assert.deepEqual(checkEnvelopeFields(record('id', { name: 'id', type: 'string' })), [], 'entries that are not objects are skipped');
    for (const type of [
      'int',
      'string',
      { type: 'long' },
      { type: 'long', logicalType: 'timestamp-micros' },
      { type: 'int', logicalType: 'timestamp-millis' },
    ]) {
      assert.deepEqual(checkEnvelopeFields(record({ name: 'id', type: 'string' }, { name: 'time', type })), [timeProblem], JSON.stringify(type));
    }
    assert.deepEqual(checkEnvelopeFields(record({ name: 'time', type: 'string' })), [idProblem, timeProblem]);
  });

  test('under envelope CloudEvents/1.0 the id may be left out (ce-id supplies it), but one that is there is a string', () => {
    assert.deepEqual(checkEnvelopeFields(record({ name: 'value', type: 'double' }), true), []);
    assert.deepEqual(checkEnvelopeFields(record({ name: 'id', type: 'string' }), true), []);
    assert.deepEqual(checkEnvelopeFields(record({ name: 'id', type: 'long' }), true), ['field "id" must be of type string (the event id)']);
  });
});

describe('entity attributes', () => {
  test('a body must be a JSON object', () => {
    assert.deepEqual(requireObject({ a: 1 }, 'PUT /x'), { a: 1 });
    for (const body of [null, [], 'x', 1]) {
      assert.throws(() => requireObject(body, 'PUT /x'), registryError('bad_request', 400, 'PUT /x: the body must be a JSON object'), JSON.stringify(body));
    }
    assert.equal(isObject({}), true);
    assert.equal(isObject([]), false);
    assert.equal(isObject(null), false);
  });

  test('unknown attributes are refused; declared and server-computed ones pass', () => {
    assert.doesNotThrow(() => rejectUnknown({ name: 'n', self: 'u', xid: '/x' }, ['name'], 'g', READ_ONLY.schemagroup));
    assert.doesNotThrow(() => rejectUnknown({ name: 'n' }, ['name'], 'g'));
    assert.throws(() => rejectUnknown({ name: 'n', self: 'u' }, ['name'], 'g'), registryError('unknown_attribute', 400, 'g: unknown attribute "self"', 'g'));
    assert.throws(
      () => rejectUnknown({ colour: 'red' }, ['name'], 'g', READ_ONLY.schemagroup),
      registryError('unknown_attribute', 400, 'g: unknown attribute "colour"', 'g'),
    );
  });

  test('an optional string is a string, or null when absent or null', () => {
    assert.equal(optionalString({ name: 'n' }, 'name', 'g'), 'n');
    assert.equal(optionalString({}, 'name', 'g'), null);
    assert.equal(optionalString({ name: null }, 'name', 'g'), null);
    assert.equal(optionalString({ name: '' }, 'name', 'g'), '');
    assert.throws(() => optionalString({ name: 1 }, 'name', 'g'), registryError('invalid_data', 400, 'g: "name" must be a string'));
  });

  test('epoch: checked only when sent and the entity exists; a different one is refused', () => {
    assert.doesNotThrow(() => checkEpoch({ epoch: 3 }, 3, 'g'));
    assert.doesNotThrow(() => checkEpoch({}, 3, 'g'));
    assert.doesNotThrow(() => checkEpoch({ epoch: null }, 3, 'g'));
    assert.doesNotThrow(() => checkEpoch({ epoch: 9 }, undefined, 'g'));
    assert.throws(() => checkEpoch({ epoch: 2 }, 3, 'g'), registryError('mismatched_epoch', 400, 'g: epoch 2 does not match the current epoch 3'));
    assert.throws(() => checkEpoch({ epoch: '3' }, 3, 'g'), /epoch 3 does not match/);
  });

  test('an id in the body must match the URL', () => {
    assert.doesNotThrow(() => checkId({ schemagroupid: 'g' }, 'schemagroupid', 'g', 'w'));
    assert.doesNotThrow(() => checkId({}, 'schemagroupid', 'g', 'w'));
    assert.throws(
      () => checkId({ schemagroupid: 'h' }, 'schemagroupid', 'g', 'w'),
      registryError('mismatched_id', 400, 'w: "schemagroupid" is "h" but the URL says "g"'),
    );
  });

  test('a PATCH replaces present keys and deletes nulls, leaving the current attributes untouched', () => {
    const current = { name: 'a', description: 'd', labels: { x: '1' } };
    assert.deepEqual(mergePatch(current, { name: 'b', description: null, epoch: 2 }), { name: 'b', labels: { x: '1' }, epoch: 2 });
    assert.deepEqual(current, { name: 'a', description: 'd', labels: { x: '1' } });
  });

  test('common attributes of a write: epoch counts up, timestamps kept or set, labels checked', () => {
    const now = new Date('2026-06-01T00:00:00.000Z');
    const created = new Date('2026-01-01T00:00:00.000Z');
    const existing = { epoch: 4, name: 'old', description: null, labels: {}, createdat: created, modifiedat: created };
    assert.deepEqual(nextCommon({}, undefined, { restore: false, now }, 'g'), {
      epoch: 1,
      name: null,
      description: null,
      labels: {},
      createdat: now,
      modifiedat: now,
    });
    assert.deepEqual(nextCommon({ name: 'n', labels: { team: 'core' }, epoch: 9 }, existing, { restore: false, now }, 'g'), {
      epoch: 5,
      name: 'n',
      description: null,
      labels: { team: 'core' },
      createdat: created,
      modifiedat: now,
    });
    const sent = '2025-03-04T05:06:07.000Z';
    assert.deepEqual(
      nextCommon({ epoch: 9, createdat: sent, modifiedat: sent }, existing, { restore: true, now }, 'g'),
      { epoch: 9, name: null, description: null, labels: {}, createdat: new Date(sent), modifiedat: new Date(sent) },
      'a restore keeps what the document says',
    );
    assert.equal(nextCommon({ modifiedat: sent }, existing, { restore: false, now }, 'g').modifiedat, now, "modifiedat is the server's outside a restore");
    for (const epoch of [0, -1, 1.5, '9']) {
      assert.equal(nextCommon({ epoch }, existing, { restore: true, now }, 'g').epoch, 5, `restored epoch ${String(epoch)} is not a positive integer`);
    }
    assert.equal(nextCommon({ epoch: 1 }, undefined, { restore: true, now }, 'g').epoch, 1);
    assert.throws(
      () => nextCommon({ labels: { a: 1 } }, undefined, { restore: false, now }, 'g'),
      registryError('invalid_data', 400, 'g: "labels" must be a map of strings'),
    );
    assert.throws(() => nextCommon({ labels: ['a'] }, undefined, { restore: false, now }, 'g'), /"labels" must be a map of strings/);
    assert.throws(
      () => nextCommon({ labels: { a: 'x', b: 2 } }, undefined, { restore: false, now }, 'g'),
      /"labels" must be a map of strings/,
      'every label, not just one, is a string',
    );
    assert.deepEqual(nextCommon({ name: 'n', description: 'd' }, undefined, { restore: false, now }, 'g').description, 'd');
    assert.deepEqual(nextCommon({ labels: null }, undefined, { restore: false, now }, 'g').labels, {});
    for (const createdat of ['yesterday', 1_700_000_000_000]) {
      assert.throws(
        () => nextCommon({ createdat }, undefined, { restore: false, now }, 'g'),
        registryError('invalid_data', 400, 'g: "createdat" must be an RFC 3339 timestamp'),
      );
    }
    assert.equal(nextCommon({ createdat: null }, undefined, { restore: false, now }, 'g').createdat, now);
  });
});
