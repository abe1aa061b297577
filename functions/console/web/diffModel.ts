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

/** The prefix each kind of line carries, so the diff reads without colour: `+`, `-` or a space. */
function diffPrefix(kind: DiffLine['kind']): string {
  return kind === 'added' ? '+' : kind === 'removed' ? '-' : ' ';
}

export type { DiffLine };
export { diffModel, diffPrefix };
