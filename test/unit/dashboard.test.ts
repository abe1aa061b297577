import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../../cli/paths.ts';
import { METRICS, type MetricSpec, prometheusName } from '../../shared/telemetry/index.ts';
import { PromqlSyntaxError, promqlSelectors } from '../helpers/promqlSelectors.ts';

const DIR = join(ROOT, 'infra/observability');

type Target = { readonly refId?: unknown; readonly expr?: unknown; readonly datasource?: { readonly uid?: unknown } };
type Panel = {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly title?: unknown;
  readonly gridPos?: { readonly x?: unknown; readonly y?: unknown; readonly w?: unknown; readonly h?: unknown };
  readonly datasource?: { readonly type?: unknown; readonly uid?: unknown };
  readonly targets?: readonly Target[];
};
type Variable = { readonly name?: unknown; readonly type?: unknown; readonly query?: unknown };
type Dashboard = {
  readonly uid?: unknown;
  readonly title?: unknown;
  readonly schemaVersion?: unknown;
  readonly panels?: readonly Panel[];
  readonly templating?: { readonly list?: readonly Variable[] };
};

/** Labels Prometheus adds to every series it scrapes (the target's), so any query may use them. */
const TARGET_LABELS = ['job', 'instance'];
const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];
/** Grafana's reference to the dashboard's datasource variable (a Grafana placeholder, not a template literal). */
const DATASOURCE_UID = '$' + '{datasource}';

/** Every series name a scrape of the bridge can have → the catalog entry it comes from. */
function catalogSeries(): Map<string, MetricSpec> {
  const series = new Map<string, MetricSpec>();
  for (const spec of Object.values(METRICS)) {
    const name = prometheusName(spec);
    if (spec.kind === 'histogram') for (const suffix of HISTOGRAM_SERIES) series.set(`${name}${suffix}`, spec);
    else series.set(name, spec);
  }
  return series;
}

/** The labels a query may use on a series: the catalog's attributes, the target's labels, `le` on buckets. */
function allowedLabels(series: string, spec: MetricSpec): Set<string> {
  return new Set([...spec.attributes, ...TARGET_LABELS, ...(series.endsWith('_bucket') ? ['le'] : [])]);
}

/** What is wrong with one PromQL expression measured against the catalog; empty when nothing is. */
function problemsOf(expr: string, series = catalogSeries()): string[] {
  const problems: string[] = [];
  const { metrics, groupings } = promqlSelectors(expr);
  if (metrics.length === 0) problems.push('names no metric');
  for (const metric of metrics) {
    const spec = series.get(metric.name);
    if (spec === undefined) {
      problems.push(`${metric.name} is not a metric of the catalog`);
      continue;
    }
    const allowed = allowedLabels(metric.name, spec);
    for (const label of metric.matcherLabels) if (!allowed.has(label)) problems.push(`${metric.name} has no label ${label}`);
  }
  for (const grouping of groupings) {
    if (grouping.metrics.length === 0) problems.push(`${grouping.clause} (${grouping.labels.join(', ')}) groups no metric`);
    for (const name of grouping.metrics) {
      const spec = series.get(name);
      if (spec === undefined) continue; // reported above
      const allowed = allowedLabels(name, spec);
      for (const label of grouping.labels) if (!allowed.has(label)) problems.push(`${grouping.clause} (${label}): ${name} has no label ${label}`);
    }
  }
  return problems;
}

const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
const panels = dashboard.panels ?? [];
const queryPanels = panels.filter((panel) => panel.type !== 'row');

describe('the PromQL reader the dashboard test relies on', () => {
  test('finds metric names, matchers and grouping labels, and nothing else', () => {
    const selectors = promqlSelectors(
      'histogram_quantile(0.99, sum by (le, stage) (rate(a_bucket{route=~"$route", x!="y"}[$__rate_interval]))) / on (route) sum(b) by (sink) + time()',
    );
    assert.deepEqual(selectors.metrics, [
      { name: 'a_bucket', matcherLabels: ['route', 'x'] },
      { name: 'b', matcherLabels: [] },
    ]);
    assert.deepEqual(selectors.groupings, [
      { clause: 'by', labels: ['le', 'stage'], metrics: ['a_bucket'] },
      { clause: 'on', labels: ['route'], metrics: ['a_bucket', 'b'] },
      { clause: 'by', labels: ['sink'], metrics: ['b'] },
    ]);
  });

  test('an unknown function, a nameless selector and broken syntax are errors, not metrics', () => {
    assert.throws(() => promqlSelectors('rated(a_total[5m])'), PromqlSyntaxError);
    assert.throws(() => promqlSelectors('{__name__="a"}'), PromqlSyntaxError);
    assert.throws(() => promqlSelectors('sum(a{route="x}'), PromqlSyntaxError);
    assert.throws(() => promqlSelectors('sum by (route (a)'), PromqlSyntaxError);
  });

  test('the catalog check catches a misspelt metric, a foreign label and a grouping by one', () => {
    assert.deepEqual(problemsOf('sum(rate(ingest_bridge_events_received_total[5m]))'), []);
    assert.deepEqual(problemsOf('rate(ingest_bridge_events_recieved_total[5m])'), ['ingest_bridge_events_recieved_total is not a metric of the catalog']);
    assert.deepEqual(problemsOf('ingest_bridge_events_received_total{sink="a"}'), ['ingest_bridge_events_received_total has no label sink']);
    assert.deepEqual(problemsOf('sum by (le) (ingest_bridge_batch_size_sum)'), ['by (le): ingest_bridge_batch_size_sum has no label le']);
    assert.deepEqual(problemsOf('ingest_bridge_stage_invoke_duration_seconds'), ['ingest_bridge_stage_invoke_duration_seconds is not a metric of the catalog']);
  });
});

describe('infra/observability/grafana-dashboard.json', () => {
  test('is a dashboard: uid, title, schema version, a Prometheus datasource variable', () => {
    assert.equal(typeof dashboard.uid, 'string');
    assert.match(dashboard.uid as string, /^[a-zA-Z0-9_-]{1,40}$/);
    assert.equal(typeof dashboard.title, 'string');
    assert.equal(typeof dashboard.schemaVersion, 'number');
    const variables = dashboard.templating?.list ?? [];
    assert.ok(variables.some((variable) => variable.name === 'datasource' && variable.type === 'datasource' && variable.query === 'prometheus'));
  });

  test('every panel has a unique id, a title and a place on the 24-column grid; query panels use the datasource variable', () => {
    assert.ok(queryPanels.length >= 12, `only ${queryPanels.length} panels`);
    const ids = panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const panel of panels) {
      assert.equal(typeof panel.id, 'number');
      assert.equal(typeof panel.title, 'string');
      const { x, y, w, h } = panel.gridPos ?? {};
      for (const value of [x, y, w, h]) assert.ok(Number.isInteger(value) && (value as number) >= 0, `${String(panel.title)}: gridPos`);
      assert.ok((x as number) + (w as number) <= 24, `${String(panel.title)} is wider than the grid`);
    }
    for (const panel of queryPanels) {
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: DATASOURCE_UID }, String(panel.title));
      assert.ok((panel.targets ?? []).length > 0, `${String(panel.title)} has no query`);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      assert.equal(new Set(refIds).size, refIds.length, `${String(panel.title)}: refIds repeat`);
      for (const target of panel.targets ?? []) {
        assert.equal(typeof target.expr, 'string');
        assert.equal(target.datasource?.uid, DATASOURCE_UID);
      }
    }
  });

  test("every query names only the catalog's metrics and, on each, only its attributes", () => {
    const problems = queryPanels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => problemsOf(target.expr as string).map((problem) => `${String(panel.title)}: ${problem}`)),
    );
    assert.deepEqual(problems, []);
  });

  test('every metric of the catalog is on some panel', () => {
    const used = new Set(
      queryPanels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => promqlSelectors(target.expr as string).metrics.map((metric) => metric.name))),
    );
    const series = catalogSeries();
    const shown = new Set([...used].map((name) => series.get(name)?.name));
    assert.deepEqual(
      Object.values(METRICS)
        .map((spec) => spec.name)
        .filter((name) => !shown.has(name)),
      [],
    );
  });

  test('the route variable lists label values of a catalog metric that has that label', () => {
    const route = (dashboard.templating?.list ?? []).find((variable) => variable.name === 'route');
    const query = (route?.query as { query?: unknown } | undefined)?.query;
    const match = /^label_values\((\w+),\s*(\w+)\)$/.exec(String(query));
    assert.ok(match !== null, `route variable query: ${String(query)}`);
    const spec = catalogSeries().get(match[1]!);
    assert.ok(spec?.attributes.includes(match[2]!));
  });
});

describe('infra/observability/prometheus.yml', () => {
  test('scrapes the bridge as job ingest-bridge on /metrics, port 9464', () => {
    const text = readFileSync(join(DIR, 'prometheus.yml'), 'utf8');
    assert.match(text, /^\s*- job_name: ingest-bridge$/m);
    assert.match(text, /^\s*metrics_path: \/metrics$/m);
    assert.match(text, /^\s*- targets: \['127\.0\.0\.1:9464'\]$/m);
  });
});
