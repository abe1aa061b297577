import type { LetterView } from '../../../../shared/console/views.ts';
import { apiGet } from '../api.ts';
import { Alert } from '../components/alert.tsx';
import { CopyButton } from '../components/copyButton.tsx';
import { LetterActions } from '../components/letterActions.tsx';
import { useLoad } from '../components/useLoad.ts';
import { base64Bytes, formatDateTime } from '../format.ts';

type LetterProps = { readonly id: string };

function Letter({ id }: LetterProps) {
  const { data: letter, error, reload } = useLoad(() => apiGet<LetterView>('deadletters/one', { id }), id);
  return (
    <section class="page letter" aria-labelledby="page-title">
      <p class="crumbs">
        <a href="#/dead-letters">← Dead letters</a>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        Dead letter <code>{id}</code>
      </h1>
      <Alert message={error} />
      {letter === undefined ? null : (
        <>
          <dl class="summary">
            <dt>Subject</dt>
            <dd>
              <code>{letter.subject}</code>
            </dd>
            <dt>Route</dt>
            <dd>{letter.routeKey ?? '—'}</dd>
            <dt>Stage</dt>
            <dd>{letter.stage}</dd>
            <dt>Reason</dt>
            <dd>
              <strong>{letter.reason}</strong>: {letter.message}
            </dd>
            <dt>Attempts</dt>
            <dd>{letter.attempts}</dd>
            <dt>Replays</dt>
            <dd>{letter.replayCount}</dd>
            <dt>Parked</dt>
            <dd>{letter.parked ? 'yes' : 'no'}</dd>
            <dt>First failed</dt>
            <dd>{formatDateTime(letter.firstFailedAt)}</dd>
            <dt>Last failed</dt>
            <dd>{formatDateTime(letter.lastFailedAt)}</dd>
            <dt>Published</dt>
            <dd>{formatDateTime(letter.publishedAt)}</dd>
            <dt>Event id</dt>
            <dd>{letter.eventId === null ? '—' : <code>{letter.eventId}</code>}</dd>
            <dt>Stream</dt>
            <dd>
              <code>{letter.stream}</code> #{letter.streamSequence}
            </dd>
            <dt>Trace id</dt>
            <dd>
              {letter.traceId === null ? (
                'not traced'
              ) : (
                <>
                  <code data-trace-id={letter.traceId}>{letter.traceId}</code> <CopyButton what="trace id" value={letter.traceId} />
                </>
              )}
            </dd>
          </dl>
          <LetterActions filter={{ ids: [id] }} noun="this letter" onChanged={reload} />
          <section aria-labelledby="decoded-title">
            <h2 id="decoded-title">Payload, decoded with the registry as it is now</h2>
            {letter.decoded.ok ? (
              <pre class="json" data-decoded="true">
                {JSON.stringify(letter.decoded.event, null, 2)}
              </pre>
            ) : (
              <p class="bad" data-decoded="false">
                <span aria-hidden="true">✗ </span>Does not decode ({letter.decoded.reason}): {letter.decoded.message}
              </p>
            )}
          </section>
          <div class="table-wrap">
            <table class="sink-outcomes">
              <caption>Outcome per sink</caption>
              <thead>
                <tr>
                  <th scope="col">Sink</th>
                  <th scope="col">Delivered</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {letter.sinks.length === 0 ? (
                  <tr>
                    <td colSpan={3}>No sink was tried.</td>
                  </tr>
                ) : (
                  letter.sinks.map((sink) => (
                    <tr key={sink.sink}>
                      <th scope="row">
                        <code>{sink.sink}</code>
                      </th>
                      <td class={sink.delivered ? 'good' : 'bad'}>
                        <span aria-hidden="true">{sink.delivered ? '✓ ' : '✗ '}</span>
                        {sink.delivered ? 'delivered' : 'not delivered'}
                      </td>
                      <td>{sink.reason === undefined ? '' : `${sink.reason}${sink.message === undefined ? '' : `: ${sink.message}`}`}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <section aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <ol class="history">
              {letter.history.map((step) => (
                <li key={`${step.at}:${step.what}`}>
                  <time dateTime={step.at}>{formatDateTime(step.at)}</time> {step.what}
                </li>
              ))}
            </ol>
          </section>
          <div class="table-wrap">
            <table class="headers">
              <caption>Headers</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(letter.headers).flatMap(([name, values]) =>
                  values.map((value, index) => (
                    <tr key={`${name}:${index}`}>
                      <th scope="row">
                        <code>{name}</code>
                      </th>
                      <td>
                        <code>{value}</code>
                      </td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
          <details class="payload">
            <summary>Payload (base64, {base64Bytes(letter.payload)} bytes)</summary>
            <pre>{letter.payload}</pre>
            <CopyButton what="payload base64" value={letter.payload} />
          </details>
        </>
      )}
    </section>
  );
}

export { Letter };
