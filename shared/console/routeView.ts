import { formatRouteKey } from '../names/index.ts';
import type { RouteRecord } from '../routes/index.ts';
import { describeSinkTarget, type InvalidSink, type SinkTarget, sinkIdentity } from '../sinks/index.ts';
import type { RouteView, SinkView } from './views.ts';

/**
 * One line per sink. An HTTP URL's query may carry a key, and reads of the console may need no
 * token, so an HTTP target is shown as its identity (the query replaced by a digest), as delivery
 * state and logs show it.
 */
function sinkView(sink: SinkTarget | InvalidSink): SinkView {
  if (sink.kind === 'invalid') return { kind: 'invalid', description: 'invalid', problem: sink.problem };
  if (sink.kind === 'http') return { kind: sink.kind, description: `http/${sink.mode}:${sinkIdentity(sink).slice('http:'.length)}` };
  return { kind: sink.kind, description: describeSinkTarget(sink) };
}

/**
 * A route as the routes page shows it: the label the bridge's metrics use for it (its route key),
 * its reader schema and sinks, and what a producer puts on the wire to name that schema.
 */
function routeViewOf(route: RouteRecord): RouteView {
  return {
    subject: route.subject,
    route: formatRouteKey(route.key),
    messageXid: route.messageXid,
    schemaVersionXid: route.schema.xid,
    schemaFormat: route.schema.format,
    sinks: route.sinks.map(sinkView),
    deadLetterSubject: route.deadLetterSubject,
    wireFormat: route.wireFormat,
    envelope: route.envelope ?? null,
    retryBudget: route.retryBudget ?? null,
    producerIds: { numericId: route.schema.numericId, fingerprint: route.schema.fingerprint },
  };
}

export { routeViewOf };
