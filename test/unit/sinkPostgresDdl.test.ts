import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { columnAt, columnsProblem, hasEventTime, sqlText, valueAt } from '../../shared/sinks/postgres/columns.ts';
import { postgresTableDdl } from '../../shared/sinks/index.ts';

const SCHEMA = {
  type: 'record',
  name: 'Reading',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'source', type: 'string' },
    {
      name: 'data',
      type: {
        type: 'record',
        name: 'ReadingData',
        fields: [
          { name: 'value', type: 'double' },
          { name: 'ratio', type: 'float' },
          { name: 'count', type: 'long' },
          { name: 'small', type: 'int' },
          { name: 'ok', type: 'boolean' },
          { name: 'unit', type: ['null', 'string'], default: null },
          { name: 'tags', type: { type: 'map', values: 'string' } },
          { name: 'samples', type: { type: 'array', items: 'double' } },
          { name: 'level', type: { type: 'enum', name: 'Level', symbols: ['LOW', 'HIGH'] } },
          { name: 'at', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
          { name: 'either', type: ['null', 'string', 'long'], default: null },
          { name: 'origin', type: { type: 'record', name: 'Origin', fields: [{ name: 'host', type: 'string' }] } },
          { name: 'previous', type: ['null', 'Origin'], default: null },
        ],
      },
    },
  ],
};

describe('mapped column types from the Avro schema', () => {
  test('each Avro type gets its SQL type; a ["null", X] union makes the column nullable', () => {
    const expect: Record<string, [string, boolean]> = {
      source: ['text', false],
      time: ['timestamptz', false],
      'data.value': ['double precision', false],
      'data.ratio': ['double precision', false],
      'data.count': ['bigint', false],
      'data.small': ['integer', false],
      'data.ok': ['boolean', false],
      'data.unit': ['text', true],
      'data.tags': ['jsonb', false],
      'data.samples': ['jsonb', false],
      'data.level': ['text', false],
      'data.at': ['timestamptz', true],
      'data.either': ['jsonb', true],
      'data.origin': ['jsonb', false],
      'data.origin.host': ['text', false],
      // Through a nullable record, by its name: nullable too.
      'data.previous.host': ['text', true],
      data: ['jsonb', false],
    };
    for (const [path, [sqlType, nullable]] of Object.entries(expect)) {
      assert.deepEqual(columnAt(SCHEMA, path), { sqlType, nullable }, path);
    }
  });

  test('a path that does not exist, or goes through a map, is explained', () => {
    assert.match(String(columnAt(SCHEMA, 'data.nothing')), /no field "nothing"/);
    assert.match(String(columnAt(SCHEMA, 'data.tags.host')), /data\.tags is a map, not a record/);
    assert.match(String(columnAt(SCHEMA, 'data..value')), /field names joined by dots/);
  });

  test('column names are identifiers and may not reuse the fixed columns', () => {
    assert.equal(columnsProblem({ value: 'data.value', unit: 'data.unit' }), undefined);
    assert.match(String(columnsProblem({ Value: 'data.value' })), /lower-case identifier/);
    assert.match(String(columnsProblem({ 'x; drop table t': 'data.value' })), /lower-case identifier/);
    assert.match(String(columnsProblem({ event_time: 'time' })), /always present/);
    assert.match(String(columnsProblem({ v: 'data.value; drop' })), /field names joined by dots/);
    assert.match(String(columnsProblem({})), /at least one column/);
    assert.match(String(columnsProblem(['data.value'])), /must be an object/);
  });

  test('values are read by path and sent as text; jsonb columns get JSON', () => {
    const body = { id: 'e1', data: { value: 1.5, tags: { a: 'b' }, unit: null, ok: false } };
    assert.equal(sqlText(valueAt(body, 'data.value'), false), '1.5');
    assert.equal(sqlText(valueAt(body, 'data.ok'), false), 'false');
    assert.equal(sqlText(valueAt(body, 'data.tags'), true), '{"a":"b"}');
    assert.equal(sqlText(valueAt(body, 'data.unit'), false), null);
    assert.equal(sqlText(valueAt(body, 'data.missing.deeper'), false), null);
    // A null in a jsonb column is SQL null, not the JSON literal.
    assert.equal(sqlText(valueAt(body, 'data.unit'), true), null);
  });

  test("only a timestamp-millis `time` counts as the event's own time", () => {
    assert.equal(hasEventTime(SCHEMA), true);
    assert.equal(hasEventTime({ type: 'record', name: 'x', fields: [{ name: 'time', type: 'long' }] }), false);
    assert.equal(hasEventTime({ type: 'record', name: 'x', fields: [{ name: 'id', type: 'string' }] }), false);
    assert.equal(hasEventTime(undefined), false);
  });
});

describe('postgresTableDdl', () => {
  test('the default layout as a plain table is keyed on event_id', () => {
    const ddl = postgresTableDdl({ table: 'metric_events', hypertable: false });
    assert.match(ddl, /^create table if not exists "metric_events" \(/);
    assert.match(ddl, /payload\s+jsonb\s+not null/);
    assert.match(ddl, /primary key \(event_id\)\n\);\n$/);
    assert.doesNotMatch(ddl, /create_hypertable/);
  });

  test('a hypertable keys on (event_id, event_time) and is partitioned on event_time', () => {
    const ddl = postgresTableDdl({ table: 'ts.readings', hypertable: true });
    assert.match(ddl, /create table if not exists "ts"\."readings"/);
    assert.match(ddl, /primary key \(event_id, event_time\)/);
    assert.match(ddl, /select create_hypertable\('"ts"\."readings"', 'event_time', if_not_exists => true\);/);
  });

  test('mapped columns: event_id, event_time, one typed column per mapping, ingested_at', () => {
    const ddl = postgresTableDdl({
      table: 'readings',
      columns: { value: 'data.value', unit: 'data.unit', tags: 'data.tags', host: 'source', at: 'data.at' },
      schema: SCHEMA,
      hypertable: false,
    });
    assert.equal(
      ddl,
      [
        'create table if not exists "readings" (',
        '  event_id    text        not null,',
        '  event_time  timestamptz not null,',
        '  "value" double precision not null,',
        '  "unit" text,',
        '  "tags" jsonb not null,',
        '  "host" text not null,',
        '  "at" timestamptz,',
        '  ingested_at timestamptz not null default now(),',
        '  primary key (event_id)',
        ');',
        '',
      ].join('\n'),
    );
  });

  test('refuses what must not reach SQL', () => {
    assert.throws(() => postgresTableDdl({ table: 'Bad"Name', hypertable: false }), /refusing table name/);
    assert.throws(() => postgresTableDdl({ table: 'a.b.c', hypertable: false }), /refusing table name/);
    assert.throws(() => postgresTableDdl({ table: 't', columns: { v: 'data.nothing' }, schema: SCHEMA, hypertable: false }), /no field "nothing"/);
    assert.throws(() => postgresTableDdl({ table: 't', columns: { 'v"': 'data.value' }, schema: SCHEMA, hypertable: false }), /identifier/);
  });
});
