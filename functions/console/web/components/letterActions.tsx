import { useState } from 'preact/hooks';
import type { LetterFilter, PurgeView, ReplayView } from '../../../../shared/console/views.ts';
import { ApiError, apiWrite, errorText } from '../api.ts';
import { describeFilter, filterKey, isEmptyFilter } from '../filters.ts';
import { letterHash } from '../hashRoute.ts';
import { Alert } from './alert.tsx';
import { ConfirmDialog } from './confirmDialog.tsx';

type LetterActionsProps = {
  /** The letters the actions apply to: the list's filter, or one letter's id. */
  readonly filter: LetterFilter;
  /** What they are called in the buttons' and dialog's words ("letters matching the filter", "this letter"). */
  readonly noun: string;
  /** After a replay or a purge changed the letters. */
  readonly onChanged: () => void;
};

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Dry run, replay and purge of the letters a filter selects: the same requests as `ingest dlq`.
 * Replay is offered only after a dry run of the same filter; purge asks the server how many match,
 * asks the operator, and sends that count back so a purge never deletes more than was confirmed.
 */
function LetterActions({ filter, noun, onChanged }: LetterActionsProps) {
  const key = filterKey(filter);
  const [dryRun, setDryRun] = useState<{ key: string; view: ReplayView } | undefined>(undefined);
  const [report, setReport] = useState<ReplayView | undefined>(undefined);
  const [purge, setPurge] = useState<{ key: string; matched: number } | undefined>(undefined);
  const [purged, setPurged] = useState<PurgeView | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const empty = isEmptyFilter(filter);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  const dryRunNow = () =>
    run(async () => {
      setReport(undefined);
      setPurged(undefined);
      const view = await apiWrite<ReplayView>('POST', 'deadletters/replay', { filter, dryRun: true });
      setDryRun({ key, view });
    });
  const replayNow = () =>
    run(async () => {
      const view = await apiWrite<ReplayView>('POST', 'deadletters/replay', { filter, dryRun: false });
      setDryRun(undefined);
      setReport(view);
      onChanged();
    });
  const askPurge = () =>
    run(async () => {
      setPurged(undefined);
      const view = await apiWrite<PurgeView>('POST', 'deadletters/purge', { filter });
      if (view.matched === 0) setNotice(`No dead letter matches ${describeFilter(filter)}: nothing to delete.`);
      else setPurge({ key, matched: view.matched });
    });
  const confirmPurge = () => {
    const asked = purge;
    setPurge(undefined);
    if (asked === undefined) return;
    void run(async () => {
      try {
        const view = await apiWrite<PurgeView>('POST', 'deadletters/purge', { filter, expected: asked.matched });
        setPurged(view);
        setDryRun(undefined);
        onChanged();
      } catch (failure) {
        if (!(failure instanceof ApiError) || failure.status !== 409) throw failure;
        // The letters changed since the count was confirmed: nothing was deleted; say the count now.
        const now = await apiWrite<PurgeView>('POST', 'deadletters/purge', { filter });
        setError(`${errorText(failure)} — nothing was deleted; ${plural(now.matched, 'letter matches', 'letters match')} now.`);
        onChanged();
      }
    });
  };

  const dryRunCurrent = dryRun !== undefined && dryRun.key === key ? dryRun.view : undefined;
  const replayCount = dryRunCurrent?.examined ?? 0;
  return (
    <section class="actions-panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Replay or purge {noun}</h2>
      {empty ? (
        <p class="hint" id="empty-filter-hint">
          <span aria-hidden="true">ℹ </span>Set a filter first: replay and purge never apply to every dead letter at once.
        </p>
      ) : (
        <p class="meta">Applies to {describeFilter(filter)}.</p>
      )}
      <div class="actions">
        <button type="button" onClick={dryRunNow} disabled={busy || empty} aria-describedby={empty ? 'empty-filter-hint' : undefined}>
          Dry run replay
        </button>
        <button
          type="button"
          class="primary"
          onClick={replayNow}
          disabled={busy || empty || dryRunCurrent === undefined || replayCount === 0}
          aria-describedby={empty ? 'empty-filter-hint' : undefined}
        >
          {dryRunCurrent === undefined ? 'Replay' : `Replay ${plural(replayCount, 'letter', 'letters')}`}
        </button>
        <button type="button" class="danger" onClick={askPurge} disabled={busy || empty} aria-describedby={empty ? 'empty-filter-hint' : undefined}>
          Purge…
        </button>
        {!empty && dryRunCurrent === undefined ? <span class="hint">Replay becomes available after a dry run of this filter.</span> : null}
      </div>
      <Alert message={error} />
      <div aria-live="polite" class="action-results">
        {notice === undefined ? null : <p>{notice}</p>}
        {dryRunCurrent === undefined ? null : <ReplayReport view={dryRunCurrent} />}
        {report === undefined ? null : <ReplayReport view={report} />}
        {purged === undefined ? null : (
          <p class="good" data-deleted={purged.deleted}>
            <span aria-hidden="true">✓ </span>Deleted {plural(purged.deleted, 'dead letter', 'dead letters')}
            {purged.withStoredOriginals > 0 ? ` (${purged.withStoredOriginals} with stored originals)` : ''}.
          </p>
        )}
      </div>
      <ConfirmDialog
        open={purge !== undefined}
        title="Delete dead letters"
        confirmLabel={`Delete ${plural(purge?.matched ?? 0, 'letter', 'letters')}`}
        onConfirm={confirmPurge}
        onCancel={() => setPurge(undefined)}
      >
        <p>
          Delete {plural(purge?.matched ?? 0, 'dead letter', 'dead letters')} matching {describeFilter(filter)}? This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function ReplayReport({ view }: { readonly view: ReplayView }) {
  const outcomes = Object.entries(view.counts);
  const title = view.dryRun ? 'Dry run: what a replay would do' : 'Replay report';
  return (
    <div class="replay-report" data-dry-run={String(view.dryRun)} data-examined={view.examined}>
      <h3>{title}</h3>
      <p>
        {plural(view.examined, 'letter', 'letters')} examined.
        {view.dryRun ? ' Nothing was sent.' : ''}
      </p>
      <table>
        <caption>{view.dryRun ? 'Outcomes it would have' : 'Outcomes'}</caption>
        <thead>
          <tr>
            <th scope="col">Outcome</th>
            <th scope="col" class="num">
              Letters
            </th>
          </tr>
        </thead>
        <tbody>
          {outcomes.map(([outcome, count]) => (
            <tr key={outcome} data-outcome={outcome}>
              <th scope="row">{outcome}</th>
              <td class="num">{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.items.length === 0 ? null : (
        <div class="table-wrap">
          <table>
            <caption>Letters</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Subject</th>
                <th scope="col">Reason</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {view.items.map((item) => (
                <tr key={item.id}>
                  <th scope="row">
                    <a href={letterHash(item.id)}>
                      <code>{item.id}</code>
                    </a>
                  </th>
                  <td>
                    <code>{item.subject}</code>
                  </td>
                  <td>{item.reason}</td>
                  <td>{item.outcome}</td>
                  <td>{item.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export { LetterActions };
