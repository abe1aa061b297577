import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../../cli/paths.ts';

// ARCHITECTURE.md's promise table is the audit trail: each promise names the test that would fail
// if it broke. A renamed or deleted test would leave the row pointing at nothing, so this reads
// the table and checks that every file it names exists and holds every test name it gives.

type Row = { readonly promise: string; readonly proof: string; readonly against: string };

/** The rows of the table under "## Promises and the tests that prove them", header and rule left out. */
function promiseRows(): Row[] {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const start = text.indexOf('## Promises and the tests that prove them');
  assert.ok(start >= 0, 'ARCHITECTURE.md has the promise table section');
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(
    first,
    lines.findIndex((line, index) => index > first && !line.startsWith('|')),
  );
  return table.slice(2).map((line) => {
    const cells = line.slice(2, -2).split(' | ');
    assert.equal(cells.length, 3, `a row has three cells: ${line}`);
    const [promise, proof, against] = cells as [string, string, string];
    return { promise, proof, against };
  });
}

/** One test the table names: its file under test/ and its name, as `describe › test` or the test's own. */
type NamedTest = { readonly file: string; readonly path: readonly string[] };

const FILE = /`((?:unit|integration)\/[\w.-]+\.test\.ts)`/g;

/**
 * The proof cell's grammar: `` `file` › name; › name; `file` › name ``. Names may hold `;` and
 * `describe › test` paths, so names of one file are separated by `; › `, not by `;` alone.
 */
function namedTests(proof: string): NamedTest[] {
  const files = [...proof.matchAll(FILE)];
  assert.ok(files.length > 0 && files[0]!.index === 0, `the proof starts with a test file: ${proof}`);
  return files.flatMap((match, index) => {
    const end = files[index + 1]?.index ?? proof.length;
    const names = proof.slice(match.index + match[0].length, end).replace(/;\s*$/, '');
    assert.ok(names.startsWith(' › '), `${match[1]} is followed by the name of a test in it: "${names}"`);
    return names
      .slice(' › '.length)
      .split('; › ')
      .map((name) => ({ file: match[1]!, path: name.split(' › ') }));
  });
}

const TITLE_CALL = /\b(?:describe|test|it|suite)\(\s*(['"`])/g;

/**
 * The titles of every describe and test call in a test file, as written: a template keeps its
 * `${…}` parts. Hand-written rather than a parser: the project has no TypeScript parser with an
 * API (TypeScript 7 has none), and a title is always the call's first argument, a string literal.
 */
function titlesIn(source: string): string[] {
  const titles: string[] = [];
  for (const match of source.matchAll(TITLE_CALL)) {
    const quote = match[1]!;
    let title = '';
    for (let at = match.index + match[0].length; at < source.length && source[at] !== quote; at++) {
      if (source[at] === '\\') {
        at++;
        title += source[at];
      } else if (quote === '`' && source.startsWith('${', at)) {
        const close = source.indexOf('}', at);
        title += source.slice(at, close + 1);
        at = close;
      } else {
        title += source[at];
      }
    }
    titles.push(title);
  }
  return titles;
}

/** A title as a pattern: its `${…}` parts stand for whatever the table writes there (e.g. `` `<format>` ``). */
function titlePattern(title: string): RegExp {
  const parts = title.split(/\$\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+?')}$`);
}

describe("ARCHITECTURE.md's promise table", () => {
  const rows = promiseRows();

  test('has rows, each with a promise, a proving test and what it is proved against; none says "none"', () => {
    assert.ok(rows.length >= 40, `the table has its rows: ${rows.length}`);
    for (const row of rows) {
      for (const cell of [row.promise, row.proof, row.against]) {
        assert.ok(cell.trim() !== '' && !/^none\b/i.test(cell.trim()), `no empty or "none" cell: ${JSON.stringify(row)}`);
      }
    }
  });

  test('every test it names exists under that exact name, in the file it names', () => {
    const missing: string[] = [];
    for (const row of rows) {
      let tests: NamedTest[];
      try {
        tests = namedTests(row.proof);
      } catch (error) {
        missing.push(`row "${row.promise}": ${(error as Error).message}`);
        continue;
      }
      for (const named of tests) {
        const file = join(ROOT, 'test', named.file);
        if (!existsSync(file)) {
          missing.push(`${named.file} does not exist (row "${row.promise}")`);
          continue;
        }
        const patterns = titlesIn(readFileSync(file, 'utf8')).map(titlePattern);
        for (const part of named.path) {
          if (!patterns.some((pattern) => pattern.test(part))) missing.push(`${named.file} has no test or describe "${part}"`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});

describe('reading the promise table', () => {
  test('a proof cell splits into files and names; a name may hold ";" and a describe path', () => {
    assert.deepEqual(namedTests('`unit/a.test.ts` › one; two; › group › three; `integration/b.test.ts` › four'), [
      { file: 'unit/a.test.ts', path: ['one; two'] },
      { file: 'unit/a.test.ts', path: ['group', 'three'] },
      { file: 'integration/b.test.ts', path: ['four'] },
    ]);
  });

  test('a file without a test name, or text before the first file, is refused', () => {
    assert.throws(() => namedTests('`unit/a.test.ts`; `unit/b.test.ts` › x'), /unit\/a\.test\.ts is followed by the name of a test/);
    assert.throws(() => namedTests('the rate tests in `unit/a.test.ts` › x'), /the proof starts with a test file/);
  });

  test('titles are read as written: quotes, escapes and template parts', () => {
    // The sources' `${format}`, written escaped so that it stays text here.
    const template = `\${format}: three`;
    const source = `test('it\\'s one', f); describe("two", f);\n  test(\n    \`${template}\`, f);`;
    assert.deepEqual(titlesIn(source), ["it's one", 'two', template]);
    assert.equal(titlePattern(template).test('`<format>`: three'), true);
    assert.equal(titlePattern(template).test('three'), false);
    assert.equal(titlePattern('a (b)').test('a (b)'), true);
  });
});
