import { useEffect, useState } from 'preact/hooks';
import type { OverviewView, SessionView } from '../../../../shared/console/views.ts';
import { apiGet, errorText } from '../api.ts';
import { Alert } from '../components/alert.tsx';
import { Chart } from '../components/chart.tsx';
import { formatClock, formatDateTime, formatNumber, formatPercent } from '../format.ts';
import { deadLettersHash } from '../hashRoute.ts';
import { CHARTS } from '../series.ts';

type OverviewProps = { readonly session: SessionView };

/** Reads the overview now and again every publish interval (the figures change no faster). */
function usePolledOverview(intervalMs: number) {
  const [overview, setOverview] = useState<OverviewView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const view = await apiGet<OverviewView>('overview');
        if (stopped) return;
        setOverview(view);
        setError(undefined);
      } catch (failure) {
        // The last figures stay on screen under the error; the next round tries again.
        if (!stopped) setError(errorText(failure));
      }
      if (!stopped) timer = setTimeout(poll, Math.max(intervalMs, 1000));
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [intervalMs]);
  return { overview, error };
}

function Overview({ session }: OverviewProps) {
  const { overview, error } = usePolledOverview(session.figuresIntervalMs);
  const last = overview?.series.at(-1);
  return (
    <section class="page overview" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Overview
      </h1>
      <Alert message={error} />
      {overview === undefined ? (
        <p class="loading">Loading figures…</p>
      ) : (
        <>
          <p class="meta">
            Figures of {overview.replicas.length} bridge {overview.replicas.length === 1 ? 'replica' : 'replicas'}, every{' '}
            {formatNumber(overview.intervalMs / 1000, 1)} s; updated {formatClock(Date.parse(overview.generatedAt))}.
          </p>
          {overview.problems.length === 0 ? null : (
            <section class="problems" aria-labelledby="problems-title">
              <h2 id="problems-title">
                <span aria-hidden="true">⚠ </span>Problems reading the figures
              </h2>
              <ul>
                {overview.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </section>
          )}
          <ul class="tiles" aria-label="Now">
            <li class="tile">
              <span class="tile-label">Events/s now</span>
              <span class="tile-value">{formatNumber(last?.eventsPerSecond ?? null, 1)}</span>
            </li>
            <li class="tile">
              <span class="tile-label">Error rate now</span>
              <span class="tile-value">{formatPercent(last?.errorRate ?? null)}</span>
            </li>
            <li class="tile">
              <span class="tile-label">Dead letters</span>
              <span class="tile-value">
                <a href="#/dead-letters">{formatNumber(overview.deadLetters.total, 0)}</a>
              </span>
            </li>
            <li class="tile" data-settled-total={last?.settledTotal ?? ''} data-latest-t={last?.t ?? ''}>
              <span class="tile-label">Settled since start</span>
              <span class="tile-value">{formatNumber(last?.settledTotal ?? null, 0)}</span>
            </li>
          </ul>
          <div class="charts">
            {CHARTS.map((spec) => (
              <Chart key={spec.name} spec={spec} series={overview.series} endMs={Date.parse(overview.generatedAt)} windowMs={overview.windowMs} />
            ))}
          </div>
          <RouteTable overview={overview} />
          <section aria-labelledby="replicas-title">
            <h2 id="replicas-title">Bridge replicas</h2>
            {overview.replicas.length === 0 ? (
              <p>No replica has published figures.</p>
            ) : (
              <ul class="replicas">
                {overview.replicas.map((replica) => (
                  <li key={replica.replica} class={replica.stale ? 'stale' : undefined}>
                    <code>{replica.replica}</code> — last figures {formatDateTime(replica.publishedAt)}
                    {replica.stale ? (
                      <strong class="warn">
                        {' '}
                        <span aria-hidden="true">⚠</span> stale (probably gone)
                      </strong>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function RouteTable({ overview }: { readonly overview: OverviewView }) {
  return (
    <div class="table-wrap">
      <table class="routes-figures">
        <caption>Routes over the latest interval</caption>
        <thead>
          <tr>
            <th scope="col">Route</th>
            <th scope="col">Subject</th>
            <th scope="col" class="num">
              Events/s
            </th>
            <th scope="col" class="num">
              Errors/s
            </th>
            <th scope="col" class="num">
              Committed
            </th>
            <th scope="col" class="num">
              Dead-letter depth
            </th>
            <th scope="col">Circuits</th>
          </tr>
        </thead>
        <tbody>
          {overview.routes.length === 0 ? (
            <tr>
              <td colSpan={7}>No route has settled an event in the window.</td>
            </tr>
          ) : (
            overview.routes.map((route) => (
              <tr key={route.route} data-route={route.route}>
                <th scope="row">
                  <code>{route.route}</code>
                </th>
                <td>{route.subject === null ? '—' : <code>{route.subject}</code>}</td>
                <td class="num">{formatNumber(route.eventsPerSecond, 2)}</td>
                <td class={route.errorsPerSecond > 0 ? 'num bad' : 'num'}>{formatNumber(route.errorsPerSecond, 2)}</td>
                <td class="num">{formatNumber(route.committedTotal, 0)}</td>
                <td class="num">
                  {/* A row the registry has no route for (the bridge's `unknown`) has no route key to filter by: it links to every letter. */}
                  <a
                    href={route.subject === null ? deadLettersHash('') : deadLettersHash(new URLSearchParams({ route: route.route }).toString())}
                    aria-label={`${route.deadLetterDepth} dead letters of ${route.route}`}
                  >
                    {formatNumber(route.deadLetterDepth, 0)}
                  </a>
                </td>
                <td>
                  {route.circuits.length === 0 ? (
                    '—'
                  ) : (
                    <ul class="circuits">
                      {route.circuits.map((circuit) => (
                        <li key={circuit.sink} class={circuit.state === 'open' ? 'circuit-open' : 'circuit-closed'}>
                          <span aria-hidden="true">{circuit.state === 'open' ? '✗ ' : '✓ '}</span>
                          {circuit.sink}: {circuit.state === 'open' ? 'open (writes stopped)' : 'closed'}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export { Overview };
