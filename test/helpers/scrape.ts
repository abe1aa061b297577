import parsePrometheusTextFormat from 'parse-prometheus-text-format';

type Labels = Readonly<Record<string, string>>;
type Sample = { readonly value: number; readonly labels: Labels };

/** One scrape of a bridge's /metrics: the raw text, and each family by name as a real Prometheus text parser read it. */
type Scrape = {
  readonly text: string;
  readonly contentType: string | null;
  readonly families: ReadonlyMap<string, { readonly type: string; readonly samples: readonly Sample[] }>;
};

async function scrape(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const families = new Map<string, { type: string; samples: Sample[] }>();
  for (const family of parsePrometheusTextFormat(text.endsWith('\n') ? text : `${text}\n`)) {
    // Histograms: presence only here (see histogramCount).
    const samples = family.metrics.map((metric) => ({ value: 'value' in metric ? Number(metric.value) : Number.NaN, labels: metric.labels ?? {} }));
    families.set(family.name, { type: family.type, samples });
  }
  return { text, contentType: response.headers.get('content-type'), families };
}

/** The sum of a family's samples whose labels include `where` (0 when there are none). */
function sumOf(result: Scrape, name: string, where: Labels = {}): number {
  const family = result.families.get(name);
  if (family === undefined) return 0;
  return family.samples
    .filter((sample) => Object.entries(where).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0);
}

/**
 * The observation count of a histogram's series whose labels include `where`. The parser folds
 * a histogram's label sets into one (prom2json's shape keeps only `le`), so its `_count` lines are
 * read on their own, where the parser sees an untyped family with every label intact.
 */
function histogramCount(result: Scrape, name: string, where: Labels = {}): number {
  const countName = `${name}_count`;
  const lines = result.text.split('\n').filter((line) => line.startsWith(`${countName}{`) || line.startsWith(`${countName} `));
  // The parser drops the last line of a text that does not end in a newline.
  const family = parsePrometheusTextFormat(`${lines.join('\n')}\n`).find((parsed) => parsed.name === countName);
  return (family?.metrics ?? [])
    .filter((metric) => Object.entries(where).every(([key, value]) => metric.labels?.[key] === value))
    .reduce((total, metric) => total + Number('value' in metric ? metric.value : metric.count), 0);
}

export { histogramCount, scrape, sumOf };
export type { Scrape };
