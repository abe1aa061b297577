// The console page's pure helpers: formatting, the dead-letter filter's three forms, the hash
// routes, the diff model, the charts' columns and the new-message template.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SeriesPoint } from '../../shared/console/index.ts';
import { diffModel, diffPrefix, withContext } from '../../functions/console/web/diffModel.ts';
import {
  describeFilter,
  EMPTY_FIELDS,
  fieldsFromQuery,
  filterFromFields,
  filterKey,
  isEmptyFilter,
  isoToLocalInput,
  localInputToIso,
  queryFromFields,
} from '../../functions/console/web/filters.ts';
import { base64Bytes, formatClock, formatNumber, formatPercent, latestLine } from '../../functions/console/web/format.ts';
import { deadLettersHash, letterHash, parseHash } from '../../functions/console/web/hashRoute.ts';
import { definitionText, newMessageTemplate, parseDefinition } from '../../functions/console/web/messageTemplate.ts';
import { CHARTS, chartColumns, latestOf } from '../../functions/console/web/series.ts';

const point = (t: number, overrides: Partial<SeriesPoint> = {}): SeriesPoint => ({
  t,
  eventsPerSecond: 10,
  errorRate: 0.05,
  latencyP50Ms: 4,
  latencyP95Ms: 12,
  consumerPending: 3,
  consumerAckPending: 1,
  settledTotal: 100,
  committedTotal: 95,
  deadLetteredTotal: 5,
  ...overrides,
});

const chart = (name: string) => CHARTS.find((spec) => spec.name === name)!;

describe('console formatting', () => {
  test('formatClock writes local hh:mm:ss with leading zeros', () => {
    assert.equal(formatClock(new Date(2026, 0, 2, 9, 5, 7).getTime()), '09:05:07');
    assert.equal(formatClock(new Date(2026, 0, 2, 23, 59, 59).getTime()), '23:59:59');
  });

  test('formatNumber keeps at most the given decimals and shows a dash for no value', () => {
    assert.equal(formatNumber(1234.5678, 2), '1,234.57');
    assert.equal(formatNumber(3, 2), '3');
    assert.equal(formatNumber(null), '—');
    assert.equal(formatNumber(Number.NaN), '—');
  });

  test('formatPercent turns a 0..1 rate into a percentage', () => {
    assert.equal(formatPercent(0.0125), '1.25 %');
    assert.equal(formatPercent(null), '—');
  });

  test('latestLine says the value, the unit and the time, or that there is no data', () => {
    const at = new Date(2026, 0, 2, 10, 0, 3).getTime();
    assert.equal(latestLine(12.5, 'ms', at), 'Latest: 12.5 ms at 10:00:03');
    assert.equal(latestLine(null, 'ms', at), 'Latest: no data yet');
  });

  test('base64Bytes counts the bytes a base64 text holds', () => {
    assert.equal(base64Bytes(Buffer.from('abcd').toString('base64')), 4);
    assert.equal(base64Bytes(Buffer.from('abcde').toString('base64')), 5);
    assert.equal(base64Bytes(Buffer.from('abcdef').toString('base64')), 6);
    assert.equal(base64Bytes(''), 0);
  });
});

describe('console dead-letter filter', () => {
  test('a query string round-trips through the fields in a fixed order', () => {
    const fields = fieldsFromQuery('?subject=metrics.cpu.usage.v1&reason=schema_mismatch&limit=50');
    assert.deepEqual(fields, { ...EMPTY_FIELDS, reason: 'schema_mismatch', subject: 'metrics.cpu.usage.v1', limit: '50' });
    assert.equal(queryFromFields(fields), 'reason=schema_mismatch&subject=metrics.cpu.usage.v1&limit=50');
  });

  test('the overview links with route=, read as the routeKey', () => {
    assert.equal(fieldsFromQuery('route=metrics%2Fcpu').routeKey, 'metrics/cpu');
    assert.equal(fieldsFromQuery('route=a&routeKey=b').routeKey, 'b');
  });

  test('the filter of an action leaves out blank fields and the limit', () => {
    assert.deepEqual(filterFromFields({ ...EMPTY_FIELDS, reason: ' sink_failed ', limit: '10' }), { reason: 'sink_failed' });
    assert.deepEqual(filterFromFields(EMPTY_FIELDS), {});
  });

  test('an empty filter is refused; ids or any field make it a filter', () => {
    assert.equal(isEmptyFilter({}), true);
    assert.equal(isEmptyFilter({ ids: [] }), true);
    assert.equal(isEmptyFilter({ ids: ['a'] }), false);
    assert.equal(isEmptyFilter({ since: '2026-01-01T00:00:00.000Z' }), false);
  });

  test('filterKey is equal for equal filters and differs when a field differs', () => {
    assert.equal(filterKey({ reason: 'x', ids: ['b', 'a'] }), filterKey({ ids: ['a', 'b'], reason: 'x' }));
    assert.notEqual(filterKey({ reason: 'x' }), filterKey({ reason: 'x', subject: 's' }));
  });

  test('describeFilter says the filter in words', () => {
    assert.equal(describeFilter({ reason: 'sink_failed', routeKey: 'metrics/cpu' }), 'reason = sink_failed, route = metrics/cpu');
    assert.equal(describeFilter({ ids: ['7'] }), 'id 7');
    assert.equal(describeFilter({}), 'everything');
  });

  test('datetime-local values convert to ISO and back in local time', () => {
    const iso = localInputToIso('2026-03-04T05:06');
    assert.equal(iso, new Date(2026, 2, 4, 5, 6).toISOString());
    assert.equal(isoToLocalInput(iso!), '2026-03-04T05:06');
    assert.equal(isoToLocalInput(new Date(2026, 2, 4, 5, 6, 7).toISOString()), '2026-03-04T05:06:07');
    assert.equal(localInputToIso(''), '');
    assert.equal(localInputToIso('not a time'), null);
    assert.equal(isoToLocalInput(''), '');
  });
});

describe('console hash routes', () => {
  test('each page, a letter and a query parse; anything else is the overview', () => {
    assert.deepEqual(parseHash('#/routes'), { page: 'routes', query: '' });
    assert.deepEqual(parseHash('#/dead-letters?reason=x'), { page: 'dead-letters', query: 'reason=x' });
    assert.deepEqual(parseHash('#/dead-letters/a%2Fb'), { page: 'letter', id: 'a/b', query: '' });
    assert.deepEqual(parseHash(''), { page: 'overview', query: '' });
    assert.deepEqual(parseHash('#/nowhere'), { page: 'overview', query: '' });
  });

  test('letter and list hashes parse back to themselves', () => {
    assert.deepEqual(parseHash(letterHash('42/x')), { page: 'letter', id: '42/x', query: '' });
    assert.equal(deadLettersHash(''), '#/dead-letters');
    assert.deepEqual(parseHash(deadLettersHash('route=a')), { page: 'dead-letters', query: 'route=a' });
  });
});

describe('console diff model', () => {
  test('marks added, removed and unchanged lines with their prefixes', () => {
    const lines = diffModel('a\nb\nc\n', 'a\nB\nc\nd\n');
    assert.deepEqual(lines, [
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
    assert.deepEqual(
      lines.map((line) => diffPrefix(line.kind)),
      [' ', '-', '+', ' ', '+'],
    );
  });

  test('equal texts give only unchanged lines, even without a final line break', () => {
    assert.deepEqual(diffModel('x\ny', 'x\ny'), [
      { kind: 'same', text: 'x' },
      { kind: 'same', text: 'y' },
    ]);
  });
});

describe('console diff context', () => {
  const same = (text: string) => ({ kind: 'same' as const, text });
  test('long unchanged runs fold to one marker, keeping three lines around each change; the ends keep none', () => {
    const lines = [...'abcdefgh'].map(same);
    const changed = [
      ...lines.slice(0, 8),
      { kind: 'added' as const, text: 'X' },
      ...[...'ijklmnopqr'].map(same),
      { kind: 'removed' as const, text: 'Y' },
      same('s'),
    ];
    assert.deepEqual(withContext(changed), [
      { kind: 'folded', count: 5 },
      same('f'),
      same('g'),
      same('h'),
      { kind: 'added', text: 'X' },
      same('i'),
      same('j'),
      same('k'),
      { kind: 'folded', count: 4 },
      same('p'),
      same('q'),
      same('r'),
      { kind: 'removed', text: 'Y' },
      same('s'),
    ]);
  });

  test('a run no longer than the context it keeps stays whole; equal texts are shown whole', () => {
    const rows = [same('a'), { kind: 'added' as const, text: 'X' }, ...[...'bcdefg'].map(same), { kind: 'added' as const, text: 'Z' }];
    assert.deepEqual(withContext(rows), rows);
    const equal = [...'abcdefghij'].map(same);
    assert.deepEqual(withContext(equal), equal);
  });
});

describe('console chart series', () => {
  test('columns are seconds then one column per line, nulls kept as gaps', () => {
    const series = [point(1_000), point(2_000, { latencyP95Ms: null, latencyP50Ms: null })];
    assert.deepEqual(chartColumns(series, chart('latency')), [
      [1, 2],
      [12, null],
      [4, null],
    ]);
    assert.deepEqual(chartColumns(series, chart('errors')), [
      [1, 2],
      [5, 5],
    ]);
  });

  test('the latest point is the last one: p95 for latency, pending for lag', () => {
    const series = [point(1_000), point(2_000, { latencyP95Ms: 30, consumerPending: 9 })];
    assert.deepEqual(latestOf(series, chart('latency')), { t: 2_000, value: 30 });
    assert.deepEqual(latestOf(series, chart('lag')), { t: 2_000, value: 9 });
    assert.deepEqual(latestOf([], chart('events')), { t: null, value: null });
  });
});

describe('console new-message template', () => {
  const routed = {
    messageid: 'metrics.cpu.usage.v1',
    xid: '/messagegroups/metrics/messages/metrics.cpu.usage.v1',
    epoch: 3,
    createdat: '2026-01-01T00:00:00Z',
    protocol: 'NATS',
    protocoloptions: { subject: 'metrics.cpu.usage.v1' },
    dataschemaxid: '/schemagroups/metrics/schemas/cpu-usage',
    ingestion: { sink: { kind: 'postgres', table: 'metric_events' }, deadlettersubject: 'deadletter.metrics.cpu.usage.v1' },
  };

  test('drops the server attributes and blanks the subjects, leaving the source untouched', () => {
    const template = newMessageTemplate(routed);
    assert.deepEqual(template, {
      protocol: 'NATS',
      protocoloptions: { subject: '' },
      dataschemaxid: '/schemagroups/metrics/schemas/cpu-usage',
      ingestion: { sink: { kind: 'postgres', table: 'metric_events' }, deadlettersubject: '' },
    });
    assert.equal(routed.protocoloptions.subject, 'metrics.cpu.usage.v1');
    assert.equal(routed.ingestion.deadlettersubject, 'deadletter.metrics.cpu.usage.v1');
  });

  test('the textarea text parses back; non-objects and bad JSON say why', () => {
    assert.deepEqual(parseDefinition(definitionText(routed)), { ok: true, definition: routed });
    assert.deepEqual(parseDefinition('[1]'), { ok: false, reason: 'the definition must be a JSON object' });
    const bad = parseDefinition('{');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.reason, /^not JSON: /);
  });
});
