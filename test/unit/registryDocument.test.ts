import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EXAMPLE_REGISTRY } from '../../cli/paths.ts';
import { parseRegistryDocument, RegistryDocumentError } from '../../shared/registry/index.ts';

const example = JSON.parse(readFileSync(EXAMPLE_REGISTRY, 'utf8')) as { routes: Record<string, unknown>[] };

function withRoute(change: (route: Record<string, any>) => void): unknown {
  const copy = structuredClone(example) as { routes: Record<string, any>[] };
  change(copy.routes[0]!);
  return copy;
}

function problemsOf(document: unknown): string[] {
  try {
    parseRegistryDocument(document);
  } catch (error) {
    if (error instanceof RegistryDocumentError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('registry documents', () => {
  test('the seeded example is valid', () => {
    const [route] = parseRegistryDocument(example);
    assert.deepEqual(route?.key, { type: 'metrics.cpu.usage', version: 'v1' });
    assert.deepEqual(route?.sink, { kind: 'postgres', table: 'metric_events' });
  });

  const cases: [string, (route: Record<string, any>) => void, RegExp][] = [
    ['a table name that would need quoting', (r) => (r.ingestion.table = 'events; drop table x'), /ingestion\.table/],
    ['an upper-case table name', (r) => (r.ingestion.table = 'Metric_Events'), /ingestion\.table/],
    ['an unknown sink', (r) => (r.ingestion.sink = 'kafka'), /unknown sink "kafka"/],
    ['a subject that does not match type and version', (r) => (r.transport.subject = 'metrics.cpu.v1'), /must be "metrics\.cpu\.usage\.v1"/],
    ['a version that is not vN', (r) => (r.version = '1.0'), /version must look like v1/],
    ['a schema that does not compile', (r) => (r.schema.definition = { type: 'record', name: 'X', fields: [{ name: 'id', type: 'strang' }] }), /invalid Avro schema/],
    ['a schema without a string id', (r) => (r.schema.definition.fields = r.schema.definition.fields.filter((f: { name: string }) => f.name !== 'id')), /field "id" of type string/],
    ['a time field that is not timestamp-millis', (r) => (r.schema.definition.fields.find((f: { name: string }) => f.name === 'time').type = 'string'), /field "time"/],
    ['a non-Avro format', (r) => (r.schema.format = 'JsonSchema/draft-07'), /schema\.format must be Avro/],
    ['a wildcard dead-letter subject', (r) => (r.ingestion.deadletter_subject = 'deadletter.>'), /deadletter_subject/],
  ];
  for (const [name, change, expected] of cases) {
    test(`rejects ${name} with a clear reason`, () => {
      const problems = problemsOf(withRoute(change));
      assert.ok(problems.some((problem) => expected.test(problem)), `problems: ${problems.join(' | ')}`);
    });
  }

  test('reports every problem at once and rejects duplicates', () => {
    const twice = { routes: [example.routes[0], example.routes[0]] };
    assert.ok(problemsOf(twice).some((p) => /more than once/.test(p)));
    assert.deepEqual(problemsOf({ nope: true }), ['document must be {"routes": [...]}']);
    const many = withRoute((r) => {
      r.ingestion.table = 'BAD';
      r.version = 'x';
    });
    assert.ok(problemsOf(many).length >= 2);
  });
});
