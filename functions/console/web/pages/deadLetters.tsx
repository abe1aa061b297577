import { useEffect, useRef, useState } from 'preact/hooks';
import type { LetterListView } from '../../../../shared/console/views.ts';
import { apiGet } from '../api.ts';
import { Alert } from '../components/alert.tsx';
import { LetterActions } from '../components/letterActions.tsx';
import { useLoad } from '../components/useLoad.ts';
import { type FilterFields, fieldsFromQuery, filterFromFields, isoToLocalInput, localInputToIso, queryFromFields } from '../filters.ts';
import { formatDateTime, formatNumber } from '../format.ts';
import { deadLettersHash, letterHash } from '../hashRoute.ts';

type DeadLettersProps = { readonly query: string };

/** The form's own copy of the fields: times as the datetime-local inputs hold them (local time). */
type Draft = FilterFields;

const toDraft = (fields: FilterFields): Draft => ({ ...fields, since: isoToLocalInput(fields.since), until: isoToLocalInput(fields.until) });

function DeadLetters({ query }: DeadLettersProps) {
  // The hash is the filter's one home: the form writes it, links from the overview set it.
  const applied = fieldsFromQuery(query);
  const appliedQuery = queryFromFields(applied);
  const list = useLoad(() => apiGet<LetterListView>('deadletters', { ...applied }), appliedQuery);
  const [draft, setDraft] = useState<Draft>(() => toDraft(applied));
  const [formError, setFormError] = useState<string | undefined>(undefined);
  useEffect(() => setDraft(toDraft(fieldsFromQuery(appliedQuery))), [appliedQuery]);
  // Reasons seen in any answer stay in the select, so filtering by one does not hide the others.
  const reasons = useRef(new Set<string>());
  for (const reason of Object.keys(list.data?.byReason ?? {})) reasons.current.add(reason);
  if (applied.reason !== '') reasons.current.add(applied.reason);

  const apply = (fields: FilterFields) => {
    location.hash = deadLettersHash(queryFromFields(fields));
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const since = localInputToIso(draft.since);
    const until = localInputToIso(draft.until);
    if (since === null || until === null) {
      setFormError('Since and until must be dates and times.');
      return;
    }
    setFormError(undefined);
    apply({ ...draft, since, until });
  };
  const set = (name: keyof Draft) => (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const byReason = Object.entries(list.data?.byReason ?? {}).sort((a, b) => b[1] - a[1]);
  const most = Math.max(1, ...byReason.map(([, count]) => count));

  return (
    <section class="page dead-letters" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Dead letters
      </h1>
      <form class="filter" onSubmit={submit} aria-label="Filter dead letters">
        <div class="fields">
          <label>
            Reason
            <select value={[...reasons.current].includes(draft.reason) ? draft.reason : ''} onChange={set('reason')}>
              <option value="">Any reason</option>
              {[...reasons.current].sort().map((reason) => (
                <option key={reason} value={reason}>
                  {reason}
                </option>
              ))}
            </select>
          </label>
          <label>
            Reason (free text)
            <input type="text" value={draft.reason} onInput={set('reason')} />
          </label>
          <label>
            Route
            <input type="text" value={draft.routeKey} placeholder="e.g. metrics.cpu.usage.v1" onInput={set('routeKey')} />
          </label>
          <label>
            Subject
            <input type="text" value={draft.subject} onInput={set('subject')} />
          </label>
          <label>
            Since
            <input type="datetime-local" step={1} value={draft.since} onInput={set('since')} />
          </label>
          <label>
            Until
            <input type="datetime-local" step={1} value={draft.until} onInput={set('until')} />
          </label>
          <label>
            Limit
            <input type="number" min={1} max={1000} value={draft.limit} placeholder="100" onInput={set('limit')} />
          </label>
        </div>
        <div class="actions">
          <button type="submit" class="primary">
            Apply filter
          </button>
          <button type="button" onClick={() => apply({ reason: '', routeKey: '', subject: '', since: '', until: '', limit: '' })}>
            Clear filter
          </button>
        </div>
        <Alert message={formError} />
      </form>
      <Alert message={list.error} />
      {list.data === undefined ? null : (
        <>
          <section aria-labelledby="reasons-title" class="reasons">
            <h2 id="reasons-title">Counts per reason</h2>
            {byReason.length === 0 ? (
              <p>No dead letter matches.</p>
            ) : (
              <table class="bars">
                <caption>Letters matching the filter, per reason (select a reason to filter by it)</caption>
                <thead>
                  <tr>
                    <th scope="col">Reason</th>
                    <th scope="col" class="num">
                      Letters
                    </th>
                    <th scope="col">
                      <span class="visually-hidden">Share</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {byReason.map(([reason, count]) => (
                    <tr key={reason} data-reason={reason}>
                      <th scope="row">
                        <button type="button" class="link" aria-label={`Filter by reason ${reason}`} onClick={() => apply({ ...applied, reason })}>
                          {reason}
                        </button>
                      </th>
                      <td class="num">{formatNumber(count, 0)}</td>
                      <td class="bar-cell" aria-hidden="true">
                        <span class="bar" style={{ width: `${(count / most) * 100}%` }} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <LetterActions filter={filterFromFields(applied)} noun="the letters matching the filter" onChanged={list.reload} />
          <div class="table-wrap">
            <table class="letters" data-total={list.data.total}>
              <caption>
                {list.data.truncated
                  ? `Dead letters: the oldest ${list.data.letters.length} of ${list.data.total} matching`
                  : `Dead letters: ${list.data.total} matching`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Last failed</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Route</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Reason</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col" class="num">
                    Replays
                  </th>
                  <th scope="col">Parked</th>
                </tr>
              </thead>
              <tbody>
                {list.data.letters.map((letter) => (
                  <tr key={letter.id} data-letter-id={letter.id}>
                    <th scope="row">
                      <a href={letterHash(letter.id)}>
                        <code>{letter.id}</code>
                      </a>
                    </th>
                    <td>{formatDateTime(letter.lastFailedAt)}</td>
                    <td>
                      <code>{letter.subject}</code>
                    </td>
                    <td>{letter.routeKey ?? '—'}</td>
                    <td>{letter.stage}</td>
                    <td title={letter.message}>{letter.reason}</td>
                    <td class="num">{letter.attempts}</td>
                    <td class="num">{letter.replayCount}</td>
                    <td>{letter.parked ? 'parked' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export { DeadLetters };
