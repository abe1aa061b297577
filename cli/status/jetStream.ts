import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { CliConfig } from '../../shared/config/index.ts';
import { openDeadLetters } from '../../shared/deadletters/index.ts';
import { connectNats } from '../../shared/nats/index.ts';
import type { ConsumersSection, ConsumerStatus, DeadLettersSection } from './report.ts';

/** Sorts by a name, in code-point order (the same on every machine, unlike localeCompare). */
function byName<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** Largest count first, then by name. */
function byCount<T extends { readonly count: number }>(key: (item: T) => string): (a: T, b: T) => number {
  const names = byName(key);
  return (a, b) => b.count - a.count || names(a, b);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every durable consumer of the ingest stream as JetStream counts it: one per bridge deployment,
 * each with its filter. Read from the server, so it needs no bridge.
 */
async function readConsumers(jsm: JetStreamManager, stream: string): Promise<ConsumersSection> {
  const consumers: ConsumerStatus[] = [];
  for await (const info of jsm.consumers.list(stream)) {
    const { config } = info;
    consumers.push({
      name: info.name,
      filterSubjects: config.filter_subjects ?? (config.filter_subject === undefined ? [] : [config.filter_subject]),
      pending: info.num_pending,
      ackPending: info.num_ack_pending,
      redelivered: info.num_redelivered,
    });
  }
  return { available: true, stream, consumers: consumers.sort(byName((consumer) => consumer.name)) };
}

/**
 * Dead letters: the total and the count per dead-letter subject from the stream's own state (every
 * letter, cheap), and per reason and per route from the letters themselves, read with the store
 * `ingest dlq list` uses, oldest first, at most `scanLimit` of them.
 */
async function readDeadLetters(nats: CliConfig['nats'], deps: Parameters<typeof openDeadLetters>[0], scanLimit: number): Promise<DeadLettersSection> {
  const stream = nats.deadLetter.name;
  const info = await deps.jsm.streams.info(stream, { subjects_filter: '>' });
  const reasons = new Map<string, { stage: string; reason: string; count: number }>();
  const routes = new Map<string, number>();
  let scanned = 0;
  await openDeadLetters(deps).store.scan(async ({ letter }) => {
    scanned++;
    const key = `${letter.stage}\u0000${letter.reason}`;
    const entry = reasons.get(key) ?? { stage: letter.stage, reason: letter.reason, count: 0 };
    reasons.set(key, { ...entry, count: entry.count + 1 });
    const route = letter.routeKey ?? 'unknown';
    routes.set(route, (routes.get(route) ?? 0) + 1);
    return scanned < scanLimit;
  });
  const bySubject = Object.entries(info.state.subjects ?? {}).map(([subject, count]) => ({ subject, count }));
  return {
    available: true,
    stream,
    total: info.state.messages,
    bySubject: bySubject.sort(byName((entry) => entry.subject)),
    byReason: [...reasons.values()].sort(byCount((entry) => `${entry.reason} ${entry.stage}`)),
    byRoute: [...routes.entries()].map(([route, count]) => ({ route, count })).sort(byCount((entry) => entry.route)),
    scanned,
    truncated: scanned < info.state.messages && scanned >= scanLimit,
  };
}

/**
 * Consumer lag and dead letters straight from JetStream, each section on its own: NATS unreachable
 * makes both unavailable with the reason; a missing stream only its own section.
 */
async function readJetStream(config: CliConfig, scanLimit: number): Promise<{ consumers: ConsumersSection; deadLetters: DeadLettersSection }> {
  let nc: Awaited<ReturnType<typeof connectNats>>;
  try {
    nc = await connectNats(config.nats.url, 'ingest-status', config.nats.security);
  } catch (error) {
    const unavailable = { available: false, error: messageOf(error) } as const;
    return { consumers: unavailable, deadLetters: unavailable };
  }
  const conn = nc;
  try {
    const jsm = await jetstreamManager(conn);
    const [consumers, deadLetters] = await Promise.all([
      readConsumers(jsm, config.nats.ingest.name).catch((error: unknown) => ({
        available: false as const,
        error: `stream ${config.nats.ingest.name}: ${messageOf(error)}`,
      })),
      readDeadLetters(config.nats, { js: jetstream(conn), jsm, deadLetter: config.nats.deadLetter, serverInfo: () => conn.info }, scanLimit).catch(
        (error: unknown) => ({ available: false as const, error: `stream ${config.nats.deadLetter.name}: ${messageOf(error)}` }),
      ),
    ]);
    return { consumers, deadLetters };
  } catch (error) {
    const unavailable = { available: false, error: messageOf(error) } as const;
    return { consumers: unavailable, deadLetters: unavailable };
  } finally {
    await conn.close();
  }
}

export { readJetStream };
