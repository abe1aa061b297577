import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './children.ts';

/**
 * Each stage function's memorySize in MB as serverless.yml deploys it to a stage without its own
 * values (`params.default`): each function reads `${param:<name>MemorySize}`. A line scan rather
 * than a YAML parser (the bench has none); it fails loudly if the file's shape changes.
 */
function stageFunctionMemoryMb(file = join(ROOT, 'serverless.yml')): Readonly<Record<string, number>> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const params = lines.indexOf('params:');
  const start = lines.indexOf('  default:', params);
  if (params < 0 || start < 0) throw new Error(`${file}: no params.default block`);
  const memory: Record<string, number> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^ {0,2}\S/.test(line)) break; // the next stage's block (or the end of params)
    const match = /^\s+(validate|route|sinkWrite)MemorySize:\s*(\d+)/.exec(line);
    if (match !== null) memory[match[1] === 'sinkWrite' ? 'sink-write' : match[1]!] = Number(match[2]);
  }
  for (const name of ['validate', 'route', 'sink-write']) {
    if (memory[name] === undefined) throw new Error(`${file}: params.default has no memory size for ${name}`);
  }
  return memory;
}

export { stageFunctionMemoryMb };
