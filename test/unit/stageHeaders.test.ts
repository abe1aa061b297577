import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasStageHeader, stageHeaderBytes } from '../../bridge/stageHeaders.ts';

const block = (text: string): Uint8Array => new TextEncoder().encode(text);

test('the raw scan finds a ce-* or content-type header in any case, and nothing else', () => {
  assert.equal(hasStageHeader(block('NATS/1.0\r\nNats-Msg-Id: abc\r\nCE-Id: 1\r\n\r\n')), true);
  assert.equal(hasStageHeader(block('NATS/1.0\r\nContent-Type : application/cloudevents+json\r\n\r\n')), true);
  assert.equal(hasStageHeader(block('NATS/1.0\r\nce-time: 2026-01-01T00:00:00Z')), true, 'a block cut short of its final CRLF');
  assert.equal(hasStageHeader(block('NATS/1.0\r\nNats-Msg-Id: ce-1\r\ntraceparent: x\r\n\r\n')), false, 'a value that looks like one is no header');
  assert.equal(hasStageHeader(block('NATS/1.0\r\ncontent-typed: x\r\nx-ce-id: 1\r\n\r\n')), false, 'names that only contain one');
  assert.equal(hasStageHeader(block('NATS/1.0 ce-id: 1\r\n\r\n')), false, 'the status line is no header');
  assert.equal(hasStageHeader(block('NATS/1.0\r\n\r\n')), false);
});

test('stage headers add their names and values to the request size; none add nothing', () => {
  assert.equal(stageHeaderBytes(undefined), 0);
  assert.ok(stageHeaderBytes({ 'ce-id': 'x'.repeat(100) }) > 105);
});
