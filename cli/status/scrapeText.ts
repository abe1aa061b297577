import { createRequire } from 'node:module';

/** One series of a scrape: its name, its labels, its value. */
type Sample = { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly value: number };

/** A family as parse-prometheus-text-format returns it (values are strings as written). */
type ParsedFamily = {
  readonly name: string;
  readonly type: string;
  readonly metrics: readonly { readonly value?: string; readonly labels?: Readonly<Record<string, string>> }[];
};

/** The text was not the Prometheus text format (an HTML error page, a truncated answer). */
class ScrapeFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ScrapeFormatError';
  }
}

// A CommonJS module without type declarations: loaded with require so its one function gets a type
// here, instead of an ambient `declare module` that other code would share.
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => readonly ParsedFamily[];

/**
 * The shape of a sample line: a metric name, optional labels, a value, an optional timestamp. The
 * parser is lenient (an HTML page parses as a metric named `<html>`), so lines are checked first.
 */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?[ \t]+[^ \t]+([ \t]+-?[0-9]+)?$/;

/** Families whose samples are plain values; the parser folds histograms and summaries differently. */
const PLAIN_TYPES = new Set(['COUNTER', 'GAUGE', 'UNTYPED']);

/**
 * The counter and gauge samples of a `/metrics` answer. Histograms and summaries are left out:
 * `ingest status` reads none, and parse-prometheus-text-format 1.1.1 folds a histogram's label sets
 * into one (upstream issue #13), so its histogram output must not be trusted.
 */
function parseScrape(text: string): Sample[] {
  const bad = text.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#') && !SAMPLE_LINE.test(line.trim()));
  if (bad !== undefined) throw new ScrapeFormatError(`not the Prometheus text format: "${bad.slice(0, 80)}"`);
  let families: readonly ParsedFamily[];
  try {
    // The parser drops a last sample line that has no newline after it.
    families = parsePrometheusTextFormat(text.endsWith('\n') ? text : `${text}\n`);
  } catch (error) {
    throw new ScrapeFormatError(`not the Prometheus text format: ${(error as Error).message}`, { cause: error });
  }
  const samples: Sample[] = [];
  for (const family of families) {
    if (!PLAIN_TYPES.has(family.type)) continue;
    for (const metric of family.metrics) {
      const value = Number(metric.value === '+Inf' ? Number.POSITIVE_INFINITY : metric.value === '-Inf' ? Number.NEGATIVE_INFINITY : metric.value);
      if (metric.value === undefined || Number.isNaN(value)) continue;
      samples.push({ name: family.name, labels: metric.labels ?? {}, value });
    }
  }
  return samples;
}

export { parseScrape, ScrapeFormatError };
export type { Sample };
