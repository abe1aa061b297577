import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sampleEvent } from '../../shared/producer/index.ts';
import { encodeAvro, frame, SchemaCache } from '../../shared/avro/index.ts';
import { encodeEvent } from '../../shared/producer/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

const TOTAL = Number(process.env.FUZZ_EVENTS ?? 10_000);
const KNOWN_REASONS = new Set([
  'invalid_frame',
  'unknown_schema_id',
  'schema_mismatch',
  'avro_decode_failed',
  'missing_event_id',
  'invalid_subject',
  'unknown_route',
]);

describe('fuzz: malformed input is dead-lettered with a reason, and nothing dies', () => {
  let plane: TestPlane;

  before(async () => {
    // Single-object framing, so wrong magic and unknown fingerprints are reachable too.
    plane = await createTestPlane({ wireFormat: 'single-object', bridgeEnv: { BATCH_MAX_RECORDS: '1000' } });
  });

  after(async () => {
    await plane?.close();
  });

  test(`${TOTAL} malformed payloads and subjects: one dead letter each`, async () => {
    // Prepare
    const type = new SchemaCache().get(plane.route.schema.cacheKey, plane.route.schema.definition);
    const { subject } = plane.route;
    const base = plane.route.key.type;
    const valid = (): Buffer => encodeEvent(plane.route, sampleEvent(plane.route), type);
    const kinds: { name: string; make: (i: number) => { subject: string; payload: Uint8Array }; reasons: string[] }[] = [
      { name: 'random bytes', make: (i) => ({ subject, payload: randomBytes(1 + (i % 300)) }), reasons: [...KNOWN_REASONS] },
      { name: 'empty', make: () => ({ subject, payload: new Uint8Array() }), reasons: ['invalid_frame'] },
      { name: 'truncated', make: (i) => ({ subject, payload: valid().subarray(0, 10 + (i % 30)) }), reasons: ['avro_decode_failed', 'invalid_frame'] },
      { name: 'trailing garbage', make: () => ({ subject, payload: Buffer.concat([valid(), randomBytes(3)]) }), reasons: ['avro_decode_failed'] },
      { name: 'wrong magic', make: () => ({ subject, payload: Buffer.concat([Buffer.from([0xc3, 0x02]), valid().subarray(2)]) }), reasons: ['invalid_frame'] },
      {
        name: 'unknown fingerprint',
        make: () => ({
          subject,
          payload: frame('single-object', encodeAvro(type, sampleEvent(plane.route)), { fingerprint: BigInt(`0x${randomBytes(8).toString('hex')}`) }),
        }),
        reasons: ['unknown_schema_id'],
      },
      { name: 'oversized', make: () => ({ subject, payload: randomBytes(200_000) }), reasons: [...KNOWN_REASONS] },
      { name: 'subject without version', make: () => ({ subject: `${base}.usage`, payload: valid() }), reasons: ['invalid_subject'] },
      { name: 'upper-case version', make: () => ({ subject: `${base}.V1`, payload: valid() }), reasons: ['invalid_subject'] },
      { name: 'unregistered version', make: (i) => ({ subject: `${base}.v${2 + (i % 50)}`, payload: valid() }), reasons: ['unknown_route'] },
      { name: 'extra token', make: () => ({ subject: `${subject}.extra`, payload: valid() }), reasons: ['invalid_subject'] },
    ];
    // Which reasons each published message may end with, by its stream sequence.
    const expectedReasons = new Map<number, { kind: string; reasons: string[] }>();

    // Act
    for (let start = 0; start < TOTAL; start += 500) {
      const jobs = [];
      for (let i = start; i < Math.min(TOTAL, start + 500); i++) {
        const kind = kinds[i % kinds.length]!;
        // Oversized payloads are few: each is a batch of its own.
        const chosen = kind.name === 'oversized' && i % (kinds.length * 20) !== kinds.indexOf(kind) ? kinds[0]! : kind;
        const { subject: target, payload } = chosen.make(i);
        jobs.push(
          plane.js.publish(target, payload, { msgID: `fuzz-${plane.runId}-${i}` }).then((ack) => {
            expectedReasons.set(ack.seq, { kind: chosen.name, reasons: chosen.reasons });
          }),
        );
      }
      await Promise.all(jobs);
    }

    // Assess
    await waitFor(
      'every payload dead-lettered',
      async () => (await plane.jsm.streams.info(plane.bridgeConfig.nats.deadLetter.name)).state.messages,
      (n) => n === TOTAL,
      180_000,
    );
    await waitFor(
      'consumer settled',
      () => plane.pending(),
      (p) => p.pending === 0 && p.ackPending === 0,
      60_000,
    );
    assert.equal(await plane.countRows(), 0, 'nothing malformed reached the sink');
    const letters = await plane.deadLetters();
    assert.equal(letters.length, TOTAL);
    const bySequence = new Map(letters.map((letter) => [letter.streamSequence, letter]));
    assert.equal(bySequence.size, TOTAL, 'one dead letter per published message');
    for (const letter of letters) {
      const expected = expectedReasons.get(letter.streamSequence);
      assert.ok(expected !== undefined, `dead letter for an unpublished sequence ${letter.streamSequence}`);
      assert.ok(expected.reasons.includes(letter.reason), `${expected.kind}: got ${letter.reason} (${letter.message})`);
      assert.ok(letter.message.length > 0, 'every dead letter says why');
    }
    const count = (reason: string): number => letters.filter((letter) => letter.reason === reason).length;
    assert.ok(count('invalid_frame') > 0 && count('unknown_schema_id') > 0 && count('avro_decode_failed') > 0);
    assert.ok(count('invalid_subject') > 0 && count('unknown_route') > 0);
    assert.equal(plane.bridge.child.exitCode, null, 'the bridge is still running');
    assert.equal(plane.offline.child.exitCode, null, 'serverless-offline is still running');
  });
});
