import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeRecordProblems, sinkWriteFields } from '../../shared/contracts/index.ts';

const pin = { numericId: 7, cacheKey: '7@1' };
const pinned = { id: '1', subject: 'a.b.v1', payload: 'AQID', publishedAtMs: 0, eventId: 'e1', reader: pin, writer: pin };
const problemsOf = (request: unknown): string[] => describeRecordProblems(request, sinkWriteFields(request));

describe("sink-write's request shapes", () => {
  test('a write needs the payload, its publish time, the event id and both pins', () => {
    assert.deepEqual(problemsOf({ target: {}, records: [pinned] }), []);
    const { payload: _payload, ...noPayload } = pinned;
    assert.deepEqual(problemsOf({ target: {}, records: [noPayload, { ...pinned, writer: { numericId: 7 } }, { ...pinned, event: {}, eventId: undefined }] }), [
      'records[0].payload must be a string',
      'records[1].writer must be a schema pin {"numericId": number, "cacheKey": string}',
      'records[2].eventId must be a string',
    ]);
  });

  test('recording or checking deliveries needs only the event id: no payload, no pins', () => {
    const bare = { id: '1', subject: 'a.b.v1', eventId: 'e1' };
    assert.deepEqual(problemsOf({ target: {}, records: [bare], recordDeliveryOnly: true }), []);
    assert.deepEqual(problemsOf({ target: {}, records: [bare], checkDeliveryOnly: true }), []);
    assert.deepEqual(problemsOf({ target: {}, records: [{ id: '1', subject: 'a.b.v1' }], checkDeliveryOnly: true }), ['records[0].eventId must be a string']);
    assert.deepEqual(problemsOf({ target: {}, records: [bare] }), [
      'records[0].payload must be a string',
      'records[0].publishedAtMs must be a number',
      'records[0].reader must be a schema pin {"numericId": number, "cacheKey": string}',
      'records[0].writer must be a schema pin {"numericId": number, "cacheKey": string}',
    ]);
  });

  test("a record's stage headers are optional, and when present an object of strings", () => {
    assert.deepEqual(problemsOf({ target: {}, records: [{ ...pinned, headers: { 'ce-id': 'a', 'content-type': 'x' } }] }), []);
    assert.deepEqual(
      problemsOf({
        target: {},
        records: [
          { ...pinned, headers: { 'ce-id': 7 } },
          { ...pinned, headers: 'ce-id: a' },
        ],
      }),
      ['records[0].headers must be an object of strings when present', 'records[1].headers must be an object of strings when present'],
    );
  });
});
