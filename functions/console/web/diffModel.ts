// Two schema versions' texts as a list of lines, each added, removed or the same, for the
// registry page's diff. Pure (no DOM), so unit tests import it.
import { diffLines } from 'diff';

type DiffLine = { readonly kind: 'added' | 'removed' | 'same'; readonly text: string };

/** The line diff of `from` → `to` (jsdiff's diffLines), one entry per line. */
function diffModel(from: string, to: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const change of diffLines(from, to)) {
    const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
    // A change's value ends with the line break of its last line; splitting leaves an empty tail.
    const parts = change.value.split('\n');
    if (parts.at(-1) === '') parts.pop();
    for (const text of parts) lines.push({ kind, text });
  }
  return lines;
}

/** A diff to show: changed lines with `context` unchanged lines around them; longer unchanged runs folded into one marker. */
type DiffRow = DiffLine | { readonly kind: 'folded'; readonly count: number };

/**
 * Folds every run of unchanged lines longer than twice `context` (or `context`, at either end)
 * into one `folded` row, so a one-field change in a long schema shows as that change and the lines
 * around it, as `diff -U` would. Equal texts stay whole: there is nothing else to show.
 */
function withContext(lines: readonly DiffLine[], context = 3): DiffRow[] {
  if (lines.every((line) => line.kind === 'same')) return [...lines];
  const rows: DiffRow[] = [];
  let start = 0;
  while (start < lines.length) {
    if (lines[start]!.kind !== 'same') {
      rows.push(lines[start]!);
      start += 1;
      continue;
    }
    let end = start;
    while (end < lines.length && lines[end]!.kind === 'same') end += 1;
    const keepBefore = start === 0 ? 0 : context;
    const keepAfter = end === lines.length ? 0 : context;
    if (end - start > keepBefore + keepAfter) {
      rows.push(...lines.slice(start, start + keepBefore));
      rows.push({ kind: 'folded', count: end - start - keepBefore - keepAfter });
      rows.push(...lines.slice(end - keepAfter, end));
    } else {
      rows.push(...lines.slice(start, end));
    }
    start = end;
  }
  return rows;
}

/** The prefix each kind of line carries, so the diff reads without colour: `+`, `-` or a space. */
function diffPrefix(kind: DiffLine['kind']): string {
  return kind === 'added' ? '+' : kind === 'removed' ? '-' : ' ';
}

export type { DiffLine, DiffRow };
export { diffModel, diffPrefix, withContext };
