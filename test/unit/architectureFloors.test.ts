import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

// ARCHITECTURE.md draws the floors of shared/ that .dependency-cruiser.cjs enforces; a newcomer
// reads the drawing, CI reads the rules, so the two must say the same.

type Rule = { readonly name: string; readonly comment?: string };

const root = new URL('../../', import.meta.url);

/** Floor number → folder names, as the floor rules of .dependency-cruiser.cjs state them. */
function floorsOfRules(): Map<number, string[]> {
  const config = createRequire(import.meta.url)(new URL('.dependency-cruiser.cjs', root).pathname) as { forbidden: readonly Rule[] };
  const floors = new Map<number, string[]>();
  for (const rule of config.forbidden) {
    if (!rule.name.startsWith('floor-')) continue;
    const match = /^shared\/(\w+) \(floor (\d+)\)/.exec(rule.comment ?? '');
    assert.ok(match, `rule ${rule.name} names its folder and floor in its comment`);
    const [, folder, level] = match;
    floors.set(Number(level), [...(floors.get(Number(level)) ?? []), folder!].sort());
  }
  return floors;
}

/** Floor number → folder names, as ARCHITECTURE.md draws them (`floor N   a · b · c   what lives there`). */
function floorsOfDrawing(): Map<number, string[]> {
  const text = readFileSync(new URL('ARCHITECTURE.md', root), 'utf8');
  const floors = new Map<number, string[]>();
  for (const match of text.matchAll(/^floor (\d+) +(\w+(?: · \w+)*)/gm)) {
    floors.set(Number(match[1]), match[2]!.split(' · ').sort());
  }
  return floors;
}

test('ARCHITECTURE.md draws the same floors, with the same folders on each, as .dependency-cruiser.cjs enforces', () => {
  const rules = floorsOfRules();
  assert.ok(rules.size > 0, 'the rules file has floor rules');
  assert.deepEqual(floorsOfDrawing(), rules);
});
