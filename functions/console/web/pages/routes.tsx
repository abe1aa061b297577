import type { RouteView, SessionView } from '../../../../shared/console/views.ts';
import { apiGet } from '../api.ts';
import { Alert } from '../components/alert.tsx';
import { CopyButton } from '../components/copyButton.tsx';
import { useLoad } from '../components/useLoad.ts';

type RoutesProps = { readonly session: SessionView };

/** The endpoint answers the list; an object holding it as `routes` is read the same way. */
function routeList(answer: readonly RouteView[] | { readonly routes: readonly RouteView[] }): readonly RouteView[] {
  return Array.isArray(answer) ? answer : (answer as { readonly routes: readonly RouteView[] }).routes;
}

function Routes({ session }: RoutesProps) {
  const { data, error, loading } = useLoad(() => apiGet<readonly RouteView[] | { readonly routes: readonly RouteView[] }>('routes'), 'routes');
  const routes = data === undefined ? undefined : routeList(data);
  return (
    <section class="page routes" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Routes
      </h1>
      <p class="meta">
        Each routed subject: the reader schema it is decoded with, where it is written, and where it goes when it cannot be. Producers name their writer schema
        with the numeric id (Confluent framing) or the fingerprint (single-object encoding).
      </p>
      <Alert message={error} />
      {routes === undefined ? (
        loading ? (
          <p class="loading">Loading routes…</p>
        ) : null
      ) : (
        <div class="table-wrap">
          <table class="routes-table">
            <caption>Routes: subject → schema version → sinks → dead-letter subject</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Reader schema version</th>
                <th scope="col">Sinks</th>
                <th scope="col">Dead-letter subject</th>
                <th scope="col">Wire</th>
                <th scope="col">Producer ids</th>
              </tr>
            </thead>
            <tbody>
              {routes.length === 0 ? (
                <tr>
                  <td colSpan={6}>No message of the registry is routed.</td>
                </tr>
              ) : (
                routes.map((route) => (
                  <tr key={route.subject} data-subject={route.subject}>
                    <th scope="row">
                      <code>{route.subject}</code>
                      <div class="sub">
                        <a href={`${session.registryPath}${route.messageXid}`}>{route.route}</a>
                      </div>
                    </th>
                    <td>
                      <a href={`${session.registryPath}${route.schemaVersionXid}`}>
                        <code>{route.schemaVersionXid}</code>
                      </a>
                      <div class="sub">{route.schemaFormat}</div>
                    </td>
                    <td>
                      <ul class="sinks">
                        {route.sinks.map((sink) => (
                          <li key={`${sink.kind}:${sink.description}`}>
                            <span class="badge">{sink.kind}</span> <code>{sink.description}</code>
                            {sink.problem === undefined ? null : (
                              <div class="problem">
                                <span aria-hidden="true">⚠ </span>
                                {sink.problem}
                              </div>
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      <code>{route.deadLetterSubject}</code>
                    </td>
                    <td>
                      <dl class="ids">
                        <dt>Format</dt>
                        <dd>{route.wireFormat}</dd>
                        <dt>Envelope</dt>
                        <dd>{route.envelope ?? 'none'}</dd>
                        <dt>Retry budget</dt>
                        <dd>{route.retryBudget ?? 'default'}</dd>
                      </dl>
                    </td>
                    <td>
                      <dl class="ids">
                        <dt>Numeric id</dt>
                        <dd>
                          <code>{route.producerIds.numericId}</code>{' '}
                          <CopyButton what={`numeric id of ${route.subject}`} value={String(route.producerIds.numericId)} />
                        </dd>
                        <dt>Fingerprint</dt>
                        <dd>
                          <code>{route.producerIds.fingerprint}</code>{' '}
                          <CopyButton what={`fingerprint of ${route.subject}`} value={route.producerIds.fingerprint} />
                        </dd>
                      </dl>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export { Routes };
