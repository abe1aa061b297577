import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { existingFromExport, planSeed, SeedDocumentError } from '../../infra/local/seedPlan.ts';

const version = (n: number) => ({ format: 'Avro/1.12', schema: { type: 'record', name: `V${n}`, fields: [{ name: 'id', type: 'string' }] } });
const message = (subject: string) => ({
  protocoloptions: { subject },
  ingestion: { sink: { kind: 'postgres', table: 'events' }, deadlettersubject: 'deadletter.x' },
});

/** A document with one schema group (two schemas) and one message group (two messages). */
function document(): Record<string, unknown> {
  return {
    schemagroups: {
      metrics: {
        description: 'from the file',
        schemas: {
          cpu: { meta: { compatibility: 'backward' }, versions: { '2': version(2), '1': version(1), '10': version(10) } },
          memory: { versions: { '1': version(1) } },
        },
      },
    },
    messagegroups: {
      metrics: { messages: { 'metrics.cpu.v1': message('metrics.cpu.v1'), 'metrics.memory.v1': message('metrics.memory.v1') } },
    },
  };
}

/** The shape of RegistryService.export(), with only what planSeed reads. */
function exported(schemas: Record<string, string[]>, messages: Record<string, string>): unknown {
  return {
    schemagroups: {
      metrics: {
        schemas: Object.fromEntries(Object.entries(schemas).map(([id, versions]) => [id, { versions: Object.fromEntries(versions.map((v) => [v, {}])) }])),
      },
    },
    messagegroups: { metrics: { messages: Object.fromEntries(Object.entries(messages).map(([id, subject]) => [id, message(subject)])) } },
  };
}

describe('planSeed: only what the registry lacks', () => {
  test('an empty registry gets every group, whole', () => {
    const plan = planSeed(document(), existingFromExport({}));
    assert.deepEqual(
      plan.steps.map((step) => step.path),
      ['/schemagroups/metrics', '/messagegroups/metrics'],
    );
    assert.deepEqual(plan.kept, []);
    assert.deepEqual(plan.subjects, ['metrics.cpu.v1', 'metrics.memory.v1']);
  });

  test('a catalogue message (no ingestion) routes no subject, so it neither counts as a route nor blocks one', () => {
    const withCatalogue = document();
    const groups = withCatalogue.messagegroups as Record<string, { messages: Record<string, unknown> }>;
    groups.metrics!.messages['metrics.cpu.audit'] = { protocol: 'NATS', protocoloptions: { subject: 'metrics.cpu.v1' } };
    const plan = planSeed(withCatalogue, existingFromExport({}));
    assert.deepEqual(plan.subjects, ['metrics.cpu.v1', 'metrics.memory.v1']);
    const existing = existingFromExport({ messagegroups: { other: { messages: { audit: { protocoloptions: { subject: 'metrics.cpu.v1' } } } } } });
    assert.deepEqual(existing.subjects, new Map());
  });

  test('endpoints are seeded when missing and kept whole when present', () => {
    const withEndpoints = { ...document(), endpoints: { a: { usage: ['producer'], protocol: 'KAFKA' }, b: { usage: ['consumer'] } } };
    const plan = planSeed(withEndpoints, existingFromExport({ endpoints: { a: { endpointid: 'a' } } }));
    assert.deepEqual(
      plan.steps.filter((step) => step.kind === 'endpoint').map((step) => [step.path, step.body]),
      [['/endpoints/b', { usage: ['consumer'] }]],
    );
    assert.ok(plan.kept.includes('/endpoints/a'));
  });

  test('a registry that has everything gets nothing, and each complete group is named once', () => {
    const plan = planSeed(
      document(),
      existingFromExport(exported({ cpu: ['1', '2', '10'], memory: ['1'] }, { 'metrics.cpu.v1': 'metrics.cpu.v1', 'metrics.memory.v1': 'metrics.memory.v1' })),
    );
    assert.deepEqual(plan.steps, []);
    assert.deepEqual(plan.kept, ['/schemagroups/metrics', '/messagegroups/metrics']);
  });

  test('missing schemas, versions (in numeric order) and messages are created; existing ones are kept untouched', () => {
    const plan = planSeed(document(), existingFromExport(exported({ cpu: ['1'] }, { 'metrics.cpu.v1': 'metrics.cpu.v1' })));
    assert.deepEqual(
      plan.steps.map((step) => [step.kind, step.path]),
      [
        ['version', '/schemagroups/metrics/schemas/cpu/versions/2'],
        ['version', '/schemagroups/metrics/schemas/cpu/versions/10'],
        ['schema', '/schemagroups/metrics/schemas/memory'],
        ['message', '/messagegroups/metrics/messages/metrics.memory.v1'],
      ],
    );
    assert.deepEqual(plan.kept, ['/schemagroups/metrics/schemas/cpu', '/messagegroups/metrics/messages/metrics.cpu.v1']);
  });

  test('a message whose subject another message already routes is not created, and the reason is kept', () => {
    const plan = planSeed(document(), existingFromExport(exported({ cpu: ['1', '2', '10'], memory: ['1'] }, { renamed: 'metrics.cpu.v1' })));
    assert.deepEqual(
      plan.steps.map((step) => step.path),
      ['/messagegroups/metrics/messages/metrics.memory.v1'],
    );
    assert.deepEqual(plan.kept, [
      '/schemagroups/metrics',
      '/messagegroups/metrics/messages/metrics.cpu.v1 (not created: /messagegroups/metrics/messages/renamed routes metrics.cpu.v1)',
    ]);
  });

  test('a new message group whose subject is routed elsewhere is created without that message', () => {
    const doc = { messagegroups: { other: { description: 'new', messages: { a: message('metrics.cpu.v1'), b: message('metrics.new.v1') } } } };
    const plan = planSeed(doc, existingFromExport(exported({}, { 'metrics.cpu.v1': 'metrics.cpu.v1' })));
    assert.deepEqual(
      plan.steps.map((step) => [step.kind, step.path]),
      [
        ['messagegroup', '/messagegroups/other'],
        ['message', '/messagegroups/other/messages/b'],
      ],
    );
    const group = plan.steps[0]!;
    assert.ok(group.kind === 'messagegroup');
    assert.deepEqual(group.body, { description: 'new' }, 'the group is created without its messages, which follow one by one');
  });

  test('a document of the wrong shape is refused with the place that is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [[], /the document must be an object/],
      [{ schemagroups: [] }, /the document: "schemagroups" must be a map/],
      [{ schemagroups: { metrics: 'x' } }, /\/schemagroups\/metrics must be an object/],
      [{ schemagroups: { metrics: { schemas: { cpu: { versions: 3 } } } } }, /\/schemagroups\/metrics\/schemas\/cpu: "versions" must be a map/],
      [{ messagegroups: { metrics: { messages: { m: null } } } }, /\/messagegroups\/metrics\/messages\/m must be an object/],
    ];
    for (const [doc, expected] of cases) {
      // The schema-level shape is only looked into where the group exists.
      const existing = existingFromExport(exported({ cpu: ['1'] }, {}));
      assert.throws(
        () => planSeed(doc, existing),
        (error: unknown) => {
          assert.ok(error instanceof SeedDocumentError, `${JSON.stringify(doc)} gives a SeedDocumentError`);
          assert.equal(error.retryable, false);
          assert.match(error.message, expected);
          return true;
        },
      );
    }
  });
});
