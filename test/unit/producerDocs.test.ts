import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

const read = (path: string): string => readFileSync(new URL(`../../docs/${path}`, import.meta.url), 'utf8');

// docs/producers.md shows each producer whole so it can be copied; the file beside it is what runs.
describe('docs/producers.md shows the producers that run', () => {
  const markdown = read('producers.md');
  for (const [language, file] of [
    ['ts', 'producer.ts'],
    ['python', 'producer.py'],
    ['go', 'producer.go'],
    ['java', 'Producer.java'],
  ] as const) {
    test(`its ${language} block is docs/producers/${file}`, () => {
      assert.ok(
        markdown.includes(`\`\`\`${language}\n${read(`producers/${file}`).trimEnd()}\n\`\`\`\n`),
        `docs/producers.md lacks docs/producers/${file} as it is`,
      );
    });
  }
});
