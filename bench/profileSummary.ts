// Summarises V8 .cpuprofile files (from BENCH_CPU_PROF=1 or `node --cpu-prof`) by where the CPU
// went: self time per package / node subsystem / builtin, and the hottest functions.
// Also runnable: `npm run bench:profile -- <file-or-dir>...`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type CallFrame = { readonly functionName: string; readonly url: string; readonly lineNumber: number };
type ProfileNode = { readonly id: number; readonly callFrame: CallFrame };
type CpuProfile = {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The unit a fix would target: an npm package, a node subsystem, a builtin, or a project folder. */
function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return `builtin ${functionName || '(anonymous)'}`;
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const local = url.replace(/^file:\/\//, '').replace(ROOT, '');
  if (local.startsWith('.esbuild/')) return `bundle ${local.split('/').slice(2, 4).join('/')}`;
  return local.split('/').slice(0, 2).join('/');
}

function frameName(frame: CallFrame): string {
  const where =
    frame.url === ''
      ? ''
      : ` ${frame.url
          .replace(/^file:\/\//, '')
          .replace(ROOT, '')
          .replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

type Summary = {
  readonly file: string;
  readonly sampledMs: number;
  readonly busyMs: number;
  readonly categories: readonly { readonly name: string; readonly ms: number }[];
  readonly functions: readonly { readonly name: string; readonly ms: number }[];
};

function summarise(file: string): Summary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i + 1] is the time until the next sample: the time sample i stands for.
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0));
  });
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let sampled = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = frames.get(id);
    if (frame === undefined) continue;
    sampled += us;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const cat = category(frame);
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
    const name = frameName(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return { file, sampledMs: sampled / 1000, busyMs: (sampled - idle) / 1000, categories: top(byCategory, 14), functions: top(byFunction, 16) };
}

function formatSummary(summary: Summary): string {
  const share = (ms: number): string => `${((ms / summary.busyMs) * 100).toFixed(1).padStart(5)} %`;
  const lines = [
    `${basename(summary.file)}: ${(summary.busyMs / 1000).toFixed(2)} s busy of ${(summary.sampledMs / 1000).toFixed(2)} s sampled`,
    '  self time by package / subsystem:',
    ...summary.categories.map((c) => `    ${share(c.ms)}  ${c.name}`),
    '  hottest functions (self time):',
    ...summary.functions.map((f) => `    ${share(f.ms)}  ${f.name}`),
  ];
  return lines.join('\n');
}

/** Every .cpuprofile under the given files or directories, summarised. */
function summariseProfiles(...paths: string[]): string {
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.cpuprofile'))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
  if (files.length === 0) return `no .cpuprofile files in ${paths.join(', ')}`;
  return files.map((file) => formatSummary(summarise(file))).join('\n\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${summariseProfiles(...process.argv.slice(2))}\n`);
}

export { summariseProfiles };
