import type { SinkConfig } from '../config/index.ts';
import { connectNats } from '../nats/index.ts';
import type { Sql } from '../postgres/index.ts';
import { createHttpSink } from './http/sink.ts';
import { createNatsSubjectSink } from './nats/sink.ts';
import { createPostgresTableSink } from './postgres/table.ts';
import type { Sink } from './types.ts';

/**
 * Every sink kind this deployment writes to, by kind, built once per process. The NATS sink
 * connects on the first event of a NATS route, so a deployment without one opens no connection.
 */
function createSinkSet(sql: Sql, config: SinkConfig, natsConnectionName: string): Map<string, Sink> {
  return new Map<string, Sink>([
    ['postgres', createPostgresTableSink(sql)],
    ['http', createHttpSink(config.http)],
    [
      'nats',
      createNatsSubjectSink({
        connect: () => connectNats(config.nats.url, natsConnectionName, config.nats.security),
        ingestSubjects: config.nats.ingestSubjects,
        deadLetterSubjects: config.nats.deadLetterSubjects,
        publishTimeoutMs: config.nats.publishTimeoutMs,
      }),
    ],
  ]);
}

export { createSinkSet };
