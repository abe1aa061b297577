import { loadCliConfig } from '../shared/config/index.ts';
import { type CommandSpec, flag, type OptionValues, positiveInteger, stringValue, stringValues } from './commandSpec.ts';
import { UsageError } from './exitCodes.ts';
import type { StatusOptions } from './status/runStatus.ts';

/** Where `ingest status` looks for a bridge when no --metrics-url is given: the local plane's (BRIDGE_HTTP_PORT's default). */
const DEFAULT_METRICS_URL = 'http://127.0.0.1:9464/metrics';
const DEFAULT_INTERVAL_SECONDS = 5;
/** Longer than any operator waits at a prompt; a typo like `--interval 5000` (ms) is caught. */
const MAX_INTERVAL_SECONDS = 300;
const DEFAULT_SCAN_LIMIT = 10_000;

/** `--interval S`: seconds between the two scrapes, a number above 0 and at most 300. */
function intervalSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_INTERVAL_SECONDS;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0) || seconds > MAX_INTERVAL_SECONDS) {
    throw new UsageError(`--interval must be a number of seconds above 0 and at most ${MAX_INTERVAL_SECONDS}, got "${value}"`);
  }
  return seconds;
}

/** `--metrics-url URL`: an absolute http(s) URL. */
function metricsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--metrics-url must be an http:// or https:// URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--metrics-url must be an http:// or https:// URL, got "${value}"`);
  return url.href;
}

/** The command line of `ingest status` as options, or a usage error naming the bad value. */
function statusOptions(values: OptionValues): StatusOptions {
  return {
    metricsUrls: (stringValues(values, 'metrics-url') ?? [DEFAULT_METRICS_URL]).map(metricsUrl),
    intervalSeconds: intervalSeconds(stringValue(values, 'interval')),
    scanLimit: positiveInteger(stringValue(values, 'scan-limit'), '--scan-limit', DEFAULT_SCAN_LIMIT),
    json: flag(values, 'json'),
  };
}

const STATUS_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'status',
    args: [],
    options: {
      'metrics-url': {
        type: 'string',
        value: 'URL',
        multiple: true,
        help: `a bridge replica's /metrics (default ${DEFAULT_METRICS_URL}); repeat for each replica`,
      },
      interval: { type: 'string', value: 'S', help: `seconds between the two scrapes the rates come from (default ${DEFAULT_INTERVAL_SECONDS})` },
      'scan-limit': { type: 'string', value: 'N', help: `read at most N dead letters for the counts by reason and route (default ${DEFAULT_SCAN_LIMIT})` },
      json: { type: 'boolean', help: 'print the report as JSON' },
    },
    summary: 'one screen of the plane: rates per route, consumer lag, dead letters, circuits, stages',
    details: [
      "Scrapes each bridge replica's /metrics twice, --interval seconds apart, and sums over the replicas",
      'per route: events received, committed and duplicates per second, and errors (dead-lettered +',
      "retried) per second; the sink targets' circuits and each stage's last answer. Reads consumer lag",
      '(pending, ack pending, redelivered) and the dead letters (by reason, route and subject) from',
      'JetStream itself, so those show even when no bridge answers.',
      '',
      'A source that does not answer (a bridge replica, or NATS) is shown as such and the rest of the',
      'screen still renders: the exit code is then 3 (partial), or 1 when no source answered at all.',
    ].join('\n'),
    async run({ values, print }) {
      const options = statusOptions(values);
      const config = loadCliConfig();
      const { runStatus } = await import('./status/runStatus.ts');
      const completeness = await runStatus(config, options, print);
      return completeness === 'complete' ? true : completeness === 'partial' ? 'partial' : false;
    },
  },
];

export { DEFAULT_METRICS_URL, STATUS_COMMANDS, statusOptions };
