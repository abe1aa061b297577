import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canRead, checkCompatibility, COMPATIBILITY_MODES, type CompatibilityMode, compileSchema, SchemaDefinitionError } from '../../shared/avro/index.ts';

type Field = { readonly name: string; readonly type: unknown; readonly default?: unknown; readonly aliases?: readonly string[] };

function record(name: string, fields: readonly Field[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'record', name, fields, ...extra };
}

function enumOf(symbols: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'enum', name: 'Unit', symbols, ...extra };
}

/** The spec's linked list, with the element type as the variable part. */
function linkedList(valueType: unknown, extraFields: readonly Field[] = []): Record<string, unknown> {
  return record('LongList', [{ name: 'value', type: valueType }, { name: 'next', type: ['null', 'LongList'] }, ...extraFields]);
}

type Case = {
  readonly name: string;
  readonly reader: unknown;
  readonly writer: unknown;
  readonly compatible: boolean;
  /** For incompatible cases: where the first problem is reported and what it says. */
  readonly path?: string;
  readonly message?: RegExp;
};

const metricV1 = record('Metric', [
  { name: 'name', type: 'string' },
  { name: 'value', type: 'double' },
]);

const CASES: readonly Case[] = [
  // Primitives and the spec's promotions (writer type on the right of "as").
  { name: 'int read as int', reader: 'int', writer: 'int', compatible: true },
  { name: 'null read as null', reader: 'null', writer: 'null', compatible: true },
  { name: 'int read as long', reader: 'long', writer: 'int', compatible: true },
  { name: 'int read as float', reader: 'float', writer: 'int', compatible: true },
  { name: 'int read as double', reader: 'double', writer: 'int', compatible: true },
  { name: 'long read as float', reader: 'float', writer: 'long', compatible: true },
  { name: 'long read as double', reader: 'double', writer: 'long', compatible: true },
  { name: 'float read as double', reader: 'double', writer: 'float', compatible: true },
  { name: 'string read as bytes', reader: 'bytes', writer: 'string', compatible: true },
  { name: 'bytes read as string', reader: 'string', writer: 'bytes', compatible: true },
  {
    name: 'long read as int (narrowing)',
    reader: 'int',
    writer: 'long',
    compatible: false,
    path: '$',
    message: /type changed from long to int/,
  },
  { name: 'double read as float (narrowing)', reader: 'float', writer: 'double', compatible: false },
  { name: 'float read as long', reader: 'long', writer: 'float', compatible: false },
  { name: 'string read as int', reader: 'int', writer: 'string', compatible: false },
  { name: 'boolean read as int', reader: 'int', writer: 'boolean', compatible: false },
  {
    name: 'timestamp-millis read as plain long (logical types ignored)',
    reader: 'long',
    writer: { type: 'long', logicalType: 'timestamp-millis' },
    compatible: true,
  },
  {
    name: 'plain long read as timestamp-millis',
    reader: { type: 'long', logicalType: 'timestamp-millis' },
    writer: 'long',
    compatible: true,
  },
  {
    name: 'timestamp-millis read as int (underlying long does not narrow)',
    reader: 'int',
    writer: { type: 'long', logicalType: 'timestamp-millis' },
    compatible: false,
  },

  // Records.
  {
    name: 'reader adds a field with a default',
    reader: record('Metric', [...(metricV1.fields as Field[]), { name: 'unit', type: ['null', 'string'], default: null }]),
    writer: metricV1,
    compatible: true,
  },
  {
    name: 'reader adds a field without a default',
    reader: record('Metric', [...(metricV1.fields as Field[]), { name: 'unit', type: 'string' }]),
    writer: metricV1,
    compatible: false,
    path: 'Metric.unit',
    message: /field "unit" was added without a default/,
  },
  {
    name: 'reader drops a writer field',
    reader: record('Metric', [{ name: 'value', type: 'double' }]),
    writer: metricV1,
    compatible: true,
  },
  {
    name: 'fields in a different order',
    reader: record('Metric', [
      { name: 'value', type: 'double' },
      { name: 'name', type: 'string' },
    ]),
    writer: metricV1,
    compatible: true,
  },
  {
    name: 'field renamed with a reader alias for the old name',
    reader: record('Metric', [
      { name: 'metric', type: 'string', aliases: ['name'] },
      { name: 'value', type: 'double' },
    ]),
    writer: metricV1,
    compatible: true,
  },
  {
    name: 'field renamed without an alias',
    reader: record('Metric', [
      { name: 'metric', type: 'string' },
      { name: 'value', type: 'double' },
    ]),
    writer: metricV1,
    compatible: false,
    path: 'Metric.metric',
    message: /field "metric" was added without a default/,
  },
  {
    name: 'field type changed from double to string',
    reader: record('Metric', [
      { name: 'name', type: 'string' },
      { name: 'value', type: 'string' },
    ]),
    writer: metricV1,
    compatible: false,
    path: 'Metric.value',
    message: /type changed from double to string/,
  },
  {
    name: 'field type promoted from int to long',
    reader: record('Counter', [{ name: 'count', type: 'long' }]),
    writer: record('Counter', [{ name: 'count', type: 'int' }]),
    compatible: true,
  },
  {
    name: 'record renamed',
    reader: record('Measurement', metricV1.fields as Field[]),
    writer: metricV1,
    compatible: false,
    path: 'Measurement',
    message: /record name changed from Metric to Measurement/,
  },
  {
    name: 'record renamed with a reader alias for the old name',
    reader: record('Measurement', metricV1.fields as Field[], { aliases: ['old.ns.Metric'] }),
    writer: metricV1,
    compatible: true,
  },
  {
    name: 'record moved to another namespace (names compare unqualified)',
    reader: record('Metric', metricV1.fields as Field[], { namespace: 'com.example.v2' }),
    writer: record('Metric', metricV1.fields as Field[], { namespace: 'com.example.v1' }),
    compatible: true,
  },
  {
    name: 'nested record gains a field without a default',
    reader: record('Event', [
      {
        name: 'data',
        type: record('Data', [
          { name: 'value', type: 'double' },
          { name: 'unit', type: 'string' },
        ]),
      },
    ]),
    writer: record('Event', [{ name: 'data', type: record('Data', [{ name: 'value', type: 'double' }]) }]),
    compatible: false,
    path: 'Event.data.unit',
    message: /field "unit" was added without a default/,
  },
  {
    name: 'nested record gains a field with a default',
    reader: record('Event', [
      {
        name: 'data',
        type: record('Data', [
          { name: 'value', type: 'double' },
          { name: 'unit', type: 'string', default: 'percent' },
        ]),
      },
    ]),
    writer: record('Event', [{ name: 'data', type: record('Data', [{ name: 'value', type: 'double' }]) }]),
    compatible: true,
  },
  {
    name: 'record read as a map',
    reader: { type: 'map', values: 'double' },
    writer: metricV1,
    compatible: false,
    message: /type changed from record Metric to map<double>/,
  },

  // Enums.
  { name: 'reader enum adds a symbol', reader: enumOf(['A', 'B', 'C']), writer: enumOf(['A', 'B']), compatible: true },
  {
    name: 'reader enum drops a symbol and has no default',
    reader: enumOf(['A', 'B']),
    writer: enumOf(['A', 'B', 'C']),
    compatible: false,
    path: 'Unit',
    message: /symbol "C" was removed and the enum has no default/,
  },
  {
    name: 'reader enum drops a symbol but has a default',
    reader: enumOf(['A', 'B'], { default: 'A' }),
    writer: enumOf(['A', 'B', 'C']),
    compatible: true,
  },
  {
    name: 'enum renamed',
    reader: enumOf(['A'], { name: 'Scale' }),
    writer: enumOf(['A']),
    compatible: false,
    message: /enum name changed from Unit to Scale/,
  },

  // Fixed.
  {
    name: 'fixed with the same name and size',
    reader: { type: 'fixed', name: 'Hash', size: 16 },
    writer: { type: 'fixed', name: 'Hash', size: 16 },
    compatible: true,
  },
  {
    name: 'fixed size changed',
    reader: { type: 'fixed', name: 'Hash', size: 32 },
    writer: { type: 'fixed', name: 'Hash', size: 16 },
    compatible: false,
    message: /fixed Hash size changed from 16 to 32 bytes/,
  },
  {
    name: 'fixed renamed',
    reader: { type: 'fixed', name: 'Digest', size: 16 },
    writer: { type: 'fixed', name: 'Hash', size: 16 },
    compatible: false,
  },

  // Arrays and maps.
  {
    name: 'array items promoted from int to long',
    reader: { type: 'array', items: 'long' },
    writer: { type: 'array', items: 'int' },
    compatible: true,
  },
  {
    name: 'array items narrowed from long to int',
    reader: { type: 'array', items: 'int' },
    writer: { type: 'array', items: 'long' },
    compatible: false,
    path: '$[*]',
    message: /type changed from long to int/,
  },
  {
    name: 'map values promoted from string to bytes',
    reader: { type: 'map', values: 'bytes' },
    writer: { type: 'map', values: 'string' },
    compatible: true,
  },
  {
    name: 'map values changed from double to string',
    reader: record('Tags', [{ name: 'tags', type: { type: 'map', values: 'string' } }]),
    writer: record('Tags', [{ name: 'tags', type: { type: 'map', values: 'double' } }]),
    compatible: false,
    path: 'Tags.tags.*',
    message: /type changed from double to string/,
  },
  { name: 'array read as map', reader: { type: 'map', values: 'int' }, writer: { type: 'array', items: 'int' }, compatible: false },

  // Unions.
  { name: 'plain field read as an optional union (null to union)', reader: ['null', 'int'], writer: 'int', compatible: true },
  { name: 'null read as an optional union', reader: ['null', 'string'], writer: 'null', compatible: true },
  {
    name: 'optional union read as its plain branch',
    reader: 'int',
    writer: ['null', 'int'],
    compatible: false,
    message: /type changed from union \[null, int\] to int \(null data cannot be read as int\)/,
  },
  { name: 'union widened', reader: ['int', 'string'], writer: ['int'], compatible: true },
  {
    name: 'union narrowed',
    reader: ['int'],
    writer: ['int', 'string'],
    compatible: false,
    message: /union branch string was removed/,
  },
  { name: 'union gains a branch in the middle', reader: ['null', 'int', 'string'], writer: ['null', 'string'], compatible: true },
  { name: 'union branches all promotable to the reader', reader: 'double', writer: ['int', 'long', 'float'], compatible: true },
  { name: 'plain value promoted into a later union branch', reader: ['null', 'string', 'double'], writer: 'long', compatible: true },
  {
    name: 'plain value with no readable union branch',
    reader: ['null', 'int'],
    writer: 'string',
    compatible: false,
    message: /no union branch can read string/,
  },
  {
    name: 'union branch record that lost a field default is reported inside the record',
    reader: ['null', record('Data', [{ name: 'unit', type: 'string' }])],
    writer: ['null', record('Data', [])],
    compatible: false,
    path: '$.unit',
    message: /field "unit" was added without a default/,
  },

  // Recursive types.
  { name: 'recursive linked list read as itself', reader: linkedList('long'), writer: linkedList('long'), compatible: true },
  { name: 'recursive linked list with a promoted element', reader: linkedList('long'), writer: linkedList('int'), compatible: true },
  {
    name: 'recursive linked list with a narrowed element',
    reader: linkedList('int'),
    writer: linkedList('long'),
    compatible: false,
    path: 'LongList.value',
    message: /type changed from long to int/,
  },
  {
    name: 'union read by a later branch when an earlier branch matches the name by alias only',
    reader: [record('A', [{ name: 'x', type: 'int' }], { aliases: ['W'] }), record('W', [])],
    writer: record('W', []),
    compatible: true,
  },
  {
    name: 'recursive linked list gains a defaulted field',
    reader: linkedList('long', [{ name: 'label', type: 'string', default: '' }]),
    writer: linkedList('long'),
    compatible: true,
  },
];

describe('canRead: reader/writer resolution table', () => {
  test('the table covers at least 40 cases', () => {
    assert.ok(CASES.length >= 40, `only ${CASES.length} cases`);
  });

  for (const entry of CASES) {
    test(`${entry.name}: ${entry.compatible ? 'readable' : 'not readable'}`, () => {
      const problems = canRead(entry.reader, entry.writer);

      if (entry.compatible) {
        assert.deepEqual(problems, []);
        return;
      }
      assert.ok(problems.length > 0, 'expected at least one problem');
      if (entry.path !== undefined) assert.equal(problems[0]?.path, entry.path);
      if (entry.message !== undefined) assert.match(problems[0]?.message ?? '', entry.message);
    });
  }

  test('every verdict in the table agrees with avsc building a resolver (namespaces ignored)', () => {
    const disagreements: string[] = [];

    for (const entry of CASES) {
      const reader = compileSchema(entry.reader);
      const writer = compileSchema(entry.writer);
      let avscReads = true;
      try {
        reader.createResolver(writer, { ignoreNamespaces: true });
      } catch {
        avscReads = false;
      }
      if (avscReads !== entry.compatible) disagreements.push(entry.name);
    }

    assert.deepEqual(disagreements, []);
  });

  test('a reference to an undefined type is a SchemaDefinitionError', () => {
    assert.throws(() => canRead(record('A', [{ name: 'b', type: 'Missing' }]), 'int'), SchemaDefinitionError);
  });
});

describe('checkCompatibility', () => {
  const v1 = record('Metric', [{ name: 'value', type: 'double' }]);
  const withUnit = record('Metric', [
    { name: 'value', type: 'double' },
    { name: 'unit', type: 'string' },
  ]);
  const withDefaultedUnit = record('Metric', [
    { name: 'value', type: 'double' },
    { name: 'unit', type: 'string', default: 'percent' },
  ]);

  test('lists all seven modes', () => {
    assert.deepEqual([...COMPATIBILITY_MODES].sort(), ['backward', 'backward_transitive', 'forward', 'forward_transitive', 'full', 'full_transitive', 'none']);
  });

  test('with no existing versions every mode accepts anything', () => {
    for (const mode of COMPATIBILITY_MODES) assert.deepEqual(checkCompatibility(mode, 'string', []), [], mode);
  });

  test('none accepts an unreadable change', () => {
    assert.deepEqual(checkCompatibility('none', 'string', ['int']), []);
  });

  test('backward rejects a new field without a default and names the field', () => {
    const problems = checkCompatibility('backward', withUnit, [v1]);

    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, 'Metric.unit');
    assert.equal(problems[0]?.message, 'new schema cannot read version 1 data: field "unit" was added without a default');
  });

  test('backward accepts a new field with a default and a removed field', () => {
    assert.deepEqual(checkCompatibility('backward', withDefaultedUnit, [v1]), []);
    assert.deepEqual(checkCompatibility('backward', v1, [withUnit]), []);
  });

  test('forward rejects removing a field the old reader has no default for, naming the field', () => {
    const problems = checkCompatibility('forward', v1, [withUnit]);

    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, 'Metric.unit');
    assert.match(problems[0]?.message ?? '', /^version 1 cannot read new schema data: field "unit" was removed/);
  });

  test('forward accepts a field added without a default, which backward rejects', () => {
    assert.deepEqual(checkCompatibility('forward', withUnit, [v1]), []);
    assert.notDeepEqual(checkCompatibility('backward', withUnit, [v1]), []);
  });

  test('forward words a type change as old to new', () => {
    const problems = checkCompatibility('forward', record('Metric', [{ name: 'value', type: 'string' }]), [v1]);

    assert.match(problems[0]?.message ?? '', /type changed from double to string \(string data cannot be read as double\)/);
  });

  test('full needs both directions', () => {
    assert.deepEqual(checkCompatibility('full', withDefaultedUnit, [v1]), []);
    assert.equal(checkCompatibility('full', withUnit, [v1]).length, 1, 'backward half fails');
    assert.equal(checkCompatibility('full', v1, [withUnit]).length, 1, 'forward half fails');
    const both = checkCompatibility('full', record('Metric', [{ name: 'value', type: 'string' }]), [v1]);
    assert.equal(both.length, 2);
  });

  test('backward_transitive also checks versions before the latest', () => {
    // v3 reads v2 data (v2 always wrote unit) but not v1 data (no unit, and v3 has no default).
    const versions = [v1, withDefaultedUnit];

    const latestOnly = checkCompatibility('backward', withUnit, versions);
    const transitive = checkCompatibility('backward_transitive', withUnit, versions);

    assert.deepEqual(latestOnly, []);
    assert.equal(transitive.length, 1);
    assert.match(transitive[0]?.message ?? '', /version 1 .*field "unit"/);
  });

  test('forward_transitive also checks versions before the latest', () => {
    // v1 needs unit (no default), v2 defaults it, v3 drops it: only v1 cannot read v3 data.
    const versions = [withUnit, withDefaultedUnit];

    assert.deepEqual(checkCompatibility('forward', v1, versions), []);
    const transitive = checkCompatibility('forward_transitive', v1, versions);

    assert.equal(transitive.length, 1);
    assert.match(transitive[0]?.message ?? '', /^version 1 cannot read new schema data: field "unit" was removed/);
  });

  test('full_transitive also checks versions before the latest', () => {
    const versions = [v1, withDefaultedUnit];

    assert.deepEqual(checkCompatibility('full', withUnit, versions), []);
    assert.equal(checkCompatibility('full_transitive', withUnit, versions).length, 1);
  });

  test('each problem names the position of the version it breaks against', () => {
    const versions = [v1, withDefaultedUnit];

    const transitive = checkCompatibility('backward_transitive', withUnit, versions);
    const full = checkCompatibility('full_transitive', record('Metric', [{ name: 'value', type: 'string' }]), [v1, v1]);

    assert.deepEqual(
      transitive.map((problem) => problem.against),
      [0],
    );
    assert.deepEqual(
      full.map((problem) => problem.against),
      [0, 0, 1, 1],
    );
  });

  test('every breaking field is reported with its own path, not only the first', () => {
    const nestedV1 = record('Metric', [
      { name: 'value', type: 'double' },
      { name: 'tags', type: { type: 'map', values: 'string' } },
      { name: 'host', type: record('Host', [{ name: 'name', type: 'string' }]) },
    ]);
    const broken = record('Metric', [
      { name: 'value', type: 'string' },
      { name: 'tags', type: { type: 'map', values: 'int' } },
      {
        name: 'host',
        type: record('Host', [
          { name: 'name', type: 'string' },
          { name: 'zone', type: 'string' },
        ]),
      },
    ]);

    const problems = checkCompatibility('backward', broken, [nestedV1]);

    assert.deepEqual(
      problems.map((problem) => problem.path),
      ['Metric.value', 'Metric.tags.*', 'Metric.host.zone'],
    );
    assert.ok(problems.every((problem) => problem.against === 0));
  });

  test('an unknown mode is rejected', () => {
    assert.throws(() => checkCompatibility('sideways' as CompatibilityMode, v1, [v1]), /unknown compatibility mode/);
  });
});

describe('compatibility messages, exact wording in both directions', () => {
  const unit = (symbols: readonly string[]): Record<string, unknown> => enumOf(symbols, { name: 'U' });

  test('enum symbols: singular and plural, removed (backward) or added (forward)', () => {
    assert.deepEqual(checkCompatibility('backward', unit(['A']), [unit(['A', 'B'])]), [
      { path: 'U', message: 'new schema cannot read version 1 data: enum U symbol "B" was removed and the enum has no default', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('backward', unit(['A']), [unit(['A', 'B', 'C'])]), [
      { path: 'U', message: 'new schema cannot read version 1 data: enum U symbols "B", "C" were removed and the enum has no default', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('forward', unit(['A', 'B', 'C']), [unit(['A'])]), [
      {
        path: 'U',
        message: 'version 1 cannot read new schema data: enum U symbols "B", "C" were added but the older reader\'s enum has no default',
        against: 0,
      },
    ]);
  });

  test('an enum default that is not one of its symbols is no default', () => {
    assert.deepEqual(canRead(enumOf(['A'], { name: 'U', default: 'Z' }), unit(['A', 'B'])), [
      { path: 'U', message: 'enum U symbol "B" was removed and the enum has no default' },
    ]);
    assert.deepEqual(canRead(enumOf(['A'], { name: 'U', default: 'A' }), unit(['A', 'B'])), []);
    assert.deepEqual(canRead({ type: 'enum', name: 'U', symbols: ['A', 7] }, unit(['A'])), [], 'a non-string symbol is ignored');
  });

  test('name and size changes run old to new and name the missing alias', () => {
    assert.deepEqual(checkCompatibility('backward', record('B', []), [record('A', [])]), [
      { path: 'B', message: 'new schema cannot read version 1 data: record name changed from A to B (no reader alias matches A)', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('forward', record('B', []), [record('A', [])]), [
      { path: 'A', message: 'version 1 cannot read new schema data: record name changed from A to B (no reader alias matches B)', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('forward', { type: 'fixed', name: 'D', size: 16 }, [{ type: 'fixed', name: 'H', size: 16 }]), [
      { path: 'H', message: 'version 1 cannot read new schema data: fixed name changed from H to D (no reader alias matches D)', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('forward', { type: 'fixed', name: 'H', size: 32 }, [{ type: 'fixed', name: 'H', size: 16 }]), [
      { path: 'H', message: 'version 1 cannot read new schema data: fixed H size changed from 16 to 32 bytes', against: 0 },
    ]);
  });

  test('union branches: removed (backward) or added (forward)', () => {
    assert.deepEqual(checkCompatibility('backward', ['int'], [['int', 'string']]), [
      { path: '$', message: 'new schema cannot read version 1 data: union branch string was removed (no reader branch can read it)', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('forward', ['int', 'string'], [['int']]), [
      { path: '$', message: 'version 1 cannot read new schema data: union branch string was added (no reader branch can read it)', against: 0 },
    ]);
  });

  test('type labels for unions, arrays, maps and named types, with the unreadable branches listed', () => {
    assert.deepEqual(canRead('int', ['null', 'int', 'string']), [
      { path: '$', message: 'type changed from union [null, int, string] to int (null, string data cannot be read as int)' },
    ]);
    assert.deepEqual(canRead(['null', 'string'], 'int'), [
      { path: '$', message: 'type changed from int to union [null, string] (no union branch can read int)' },
    ]);
    assert.deepEqual(canRead({ type: 'array', items: 'int' }, { type: 'map', values: { type: 'array', items: 'long' } }), [
      { path: '$', message: 'type changed from map<array<long>> to array<int> (map<array<long>> data cannot be read as array<int>)' },
    ]);
    assert.deepEqual(canRead('string', { type: 'enum', name: 'a.b.U', symbols: ['A'] }), [
      { path: '$', message: 'type changed from enum U to string (enum U data cannot be read as string)' },
    ]);
    assert.deepEqual(canRead({ type: 'fixed', name: 'H', size: 4 }, record('H', [])), [
      { path: 'H', message: 'type changed from record H to fixed H (record H data cannot be read as fixed H)' },
    ]);
    assert.deepEqual(canRead(['null', { type: 'fixed', name: 'H', size: 4 }], { type: 'fixed', name: 'H', size: 8 }), [
      { path: '$', message: 'type changed from fixed H to union [null, fixed H] (no union branch can read fixed H)' },
    ]);
  });

  test('the transitive modes number every version they cannot read', () => {
    assert.deepEqual(checkCompatibility('backward_transitive', 'string', ['int', 'long']), [
      { path: '$', message: 'new schema cannot read version 1 data: type changed from int to string (int data cannot be read as string)', against: 0 },
      { path: '$', message: 'new schema cannot read version 2 data: type changed from long to string (long data cannot be read as string)', against: 1 },
    ]);
    assert.deepEqual(checkCompatibility('forward_transitive', 'int', ['string', 'long']), [
      { path: '$', message: 'version 1 cannot read new schema data: type changed from string to int (int data cannot be read as string)', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('full_transitive', 'long', ['int', 'long']), [
      { path: '$', message: 'version 1 cannot read new schema data: type changed from int to long (long data cannot be read as int)', against: 0 },
    ]);
    assert.deepEqual(checkCompatibility('full', 'long', ['int', 'long']), []);
  });
});

describe('schema parsing for compatibility checks', () => {
  test('malformed schemas are SchemaDefinitionErrors that say what is wrong', () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ type: 'record', fields: [] }, 'record without a name'],
      [{ type: 'enum', name: '', symbols: [] }, 'enum without a name'],
      [['null', record('A', []), record('A', [])], 'type A is defined twice'],
      [{ type: 'fixed', name: 'F', size: -1 }, 'fixed F has an invalid size'],
      [{ type: 'fixed', name: 'F', size: 1.5 }, 'fixed F has an invalid size'],
      [{ type: 'record', name: 'R' }, 'record R has no fields array'],
      [{ type: 'record', name: 'R', fields: [{ type: 'int' }] }, 'record R has a field without a name'],
      [{ type: 'record', name: 'R', fields: ['x'] }, 'record R has a field without a name'],
      [42, 'not an Avro schema: 42'],
      ['Nope', 'unknown type "Nope"'],
      [{ type: 'Nope' }, 'unknown type "Nope"'],
    ];
    for (const [schema, message] of cases) {
      assert.throws(
        () => canRead(schema, 'int'),
        (error: unknown) => error instanceof SchemaDefinitionError && error.message === message,
        message,
      );
    }
    assert.deepEqual(canRead({ type: 'fixed', name: 'F', size: 0 }, { type: 'fixed', name: 'F', size: 0 }), [], 'size 0 is valid');
  });

  test('error records, nested type objects and references by {type: name} resolve like their plain forms', () => {
    assert.deepEqual(canRead({ type: 'error', name: 'E', fields: [{ name: 'x', type: 'int' }] }, { type: 'error', name: 'E', fields: [] }), [
      { path: 'E.x', message: 'field "x" was added without a default' },
    ]);
    assert.deepEqual(canRead({ type: { type: 'int' } }, 'long'), [{ path: '$', message: 'type changed from long to int (long data cannot be read as int)' }]);
    const withEnum = (second: unknown): Record<string, unknown> =>
      record('R', [
        { name: 'a', type: { type: 'enum', name: 'E', symbols: ['X'] } },
        { name: 'b', type: second },
      ]);
    assert.deepEqual(canRead(withEnum({ type: 'E' }), withEnum('string')), [
      { path: 'R.b', message: 'type changed from string to enum E (string data cannot be read as enum E)' },
    ]);
    assert.deepEqual(canRead(withEnum({ type: 'E' }), withEnum('E')), []);
  });

  test("aliases compare unqualified and non-string aliases are ignored; a field's own name wins over an alias", () => {
    assert.deepEqual(canRead(enumOf(['A'], { name: 'New', aliases: ['x.Old', 5] }), enumOf(['A'], { name: 'y.Old' })), []);
    assert.deepEqual(
      canRead({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'int', aliases: [3, 'o'] }] }, record('R', [{ name: 'o', type: 'int' }])),
      [],
    );
    assert.deepEqual(
      canRead(
        record('R', [{ name: 'a', type: 'int', aliases: ['b'] }]),
        record('R', [
          { name: 'b', type: 'string' },
          { name: 'a', type: 'int' },
        ]),
      ),
      [],
    );
  });

  test('names inside a namespaced record resolve in its namespace', () => {
    const inner = record('a.R', [
      { name: 'x', type: record('S', []) },
      { name: 'y', type: 'a.S' },
    ]);
    assert.deepEqual(canRead(inner, inner), []);
    const withAttribute = record(
      'R',
      [
        { name: 'x', type: record('S', []) },
        { name: 'y', type: 'q.S' },
      ],
      { namespace: 'q' },
    );
    assert.deepEqual(canRead(withAttribute, withAttribute), []);
  });
});

describe('a plain reader against a writer union', () => {
  test("each writer branch of the reader's own kind is resolved against it", () => {
    assert.deepEqual(canRead({ type: 'array', items: 'long' }, [{ type: 'array', items: 'int' }]), []);
    assert.deepEqual(canRead({ type: 'map', values: 'long' }, [{ type: 'map', values: 'int' }]), []);
    assert.deepEqual(canRead(record('R', []), [record('R', [])]), []);
    assert.deepEqual(canRead(enumOf(['A', 'B'], { name: 'E' }), [enumOf(['A'], { name: 'E' })]), []);
    assert.deepEqual(canRead({ type: 'fixed', name: 'H', size: 4 }, [{ type: 'fixed', name: 'H', size: 4 }]), []);
  });

  test('a branch of another kind, or a fixed of another size, is unreadable even with the same name', () => {
    assert.deepEqual(canRead({ type: 'array', items: 'int' }, [{ type: 'map', values: 'int' }]), [
      { path: '$', message: 'type changed from union [map<int>] to array<int> (map<int> data cannot be read as array<int>)' },
    ]);
    assert.deepEqual(canRead(record('X', []), [enumOf(['A'], { name: 'X' })]), [
      { path: 'X', message: 'type changed from union [enum X] to record X (enum X data cannot be read as record X)' },
    ]);
    assert.deepEqual(canRead({ type: 'fixed', name: 'H', size: 4 }, [{ type: 'fixed', name: 'H', size: 8 }]), [
      { path: 'H', message: 'type changed from union [fixed H] to fixed H (fixed H data cannot be read as fixed H)' },
    ]);
    assert.deepEqual(canRead(enumOf(['A'], { name: 'R' }), record('R', [])), [
      { path: 'R', message: 'type changed from record R to enum R (record R data cannot be read as enum R)' },
    ]);
    assert.deepEqual(canRead(record('R', []), 'int'), [{ path: 'R', message: 'type changed from int to record R (int data cannot be read as record R)' }]);
    assert.deepEqual(canRead(record('R', []), enumOf(['A'], { name: 'R' })), [
      { path: 'R', message: 'type changed from enum R to record R (enum R data cannot be read as record R)' },
    ]);
  });

  test('problems inside a readable branch are reported next to the unreadable branches', () => {
    assert.deepEqual(canRead(record('R', [{ name: 'x', type: 'int' }]), ['null', record('R', [])]), [
      { path: 'R.x', message: 'field "x" was added without a default' },
      { path: 'R', message: 'type changed from union [null, record R] to record R (null data cannot be read as record R)' },
    ]);
  });
});
