// Summarises V8 .cpuprofile files (from BENCH_CPU_PROF=1 or `node --cpu-prof`) by where the CPU
// went: self time per package / node subsystem / builtin, and the hottest functions.
// Also runnable: `npm run bench:profile -- [--top N] [--match TEXT]... <file-or-dir>...`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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

/** How much to show: the top N of each list, and the total of whatever matches each text. */
type SummaryOptions = { readonly top: number; readonly match: readonly string[] };

const DEFAULT_OPTIONS: SummaryOptions = { top: 16, match: [] };

type Share = { readonly name: string; readonly ms: number };

type Summary = {
  readonly file: string;
  readonly sampledMs: number;
  readonly busyMs: number;
  readonly categories: readonly Share[];
  readonly functions: readonly Share[];
  /** Per `--match` text: the self time of every function whose name or file contains it. */
  readonly matches: readonly Share[];
};

function summarise(file: string, options: SummaryOptions): Summary {
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
  const matches = options.match.map((text) => ({
    name: text,
    ms: [...byFunction].reduce((sum, [name, us]) => (name.includes(text) ? sum + us : sum), 0) / 1000,
  }));
  return {
    file,
    sampledMs: sampled / 1000,
    busyMs: (sampled - idle) / 1000,
    categories: top(byCategory, options.top),
    functions: top(byFunction, options.top),
    matches,
  };
}

function formatSummary(summary: Summary): string {
  const share = (ms: number): string => `${((ms / summary.busyMs) * 100).toFixed(1).padStart(5)} %`;
  const lines = [
    `${basename(summary.file)}: ${(summary.busyMs / 1000).toFixed(2)} s busy of ${(summary.sampledMs / 1000).toFixed(2)} s sampled`,
    '  self time by package / subsystem:',
    ...summary.categories.map((c) => `    ${share(c.ms)}  ${c.name}`),
    '  hottest functions (self time):',
    ...summary.functions.map((f) => `    ${share(f.ms)}  ${f.name}`),
    ...(summary.matches.length === 0 ? [] : ['  self time of functions whose name or file contains:']),
    ...summary.matches.map((m) => `    ${share(m.ms)}  ${m.name}`),
  ];
  return lines.join('\n');
}

/** A path given on the command line that is not there. */
class ProfilePathError extends Error {
  readonly retryable = false;
}

/** Every .cpuprofile under the given files or directories, summarised. */
function summariseProfiles(paths: readonly string[], options: SummaryOptions = DEFAULT_OPTIONS): string {
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0) throw new ProfilePathError(`no such file or directory: ${missing.join(', ')}`);
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.cpuprofile'))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
  if (files.length === 0) return `no .cpuprofile files in ${paths.join(', ')}`;
  return files.map((file) => formatSummary(summarise(file, options))).join('\n\n');
}

const USAGE = `usage: npm run bench:profile -- [--top N] [--match TEXT]... <file-or-dir>...

Summarises V8 .cpuprofile files (from BENCH_CPU_PROF=1 npm run bench, or node --cpu-prof): self
time by package / node subsystem, the hottest functions, and with --match the total self time of
the functions whose name or file contains TEXT (repeatable; e.g. --match @opentelemetry).

  --top N        entries per list (default 16)
  --match TEXT   add a total for TEXT
  -h, --help     this text
`;

/** The command line's options and paths; a usage mistake throws a TypeError. */
function parseProfileArgs(argv: readonly string[]): { help: boolean; paths: string[]; options: SummaryOptions } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { top: { type: 'string' }, match: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  const top = values.top === undefined ? DEFAULT_OPTIONS.top : Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new TypeError(`--top must be a whole number ≥ 1, got ${JSON.stringify(values.top)}`);
  if (values.help !== true && positionals.length === 0) throw new TypeError('give at least one .cpuprofile file or directory');
  return { help: values.help === true, paths: positionals, options: { top, match: values.match ?? [] } };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { help, paths, options } = parseProfileArgs(process.argv.slice(2));
    process.stdout.write(help ? USAGE : `${summariseProfiles(paths, options)}\n`);
  } catch (error) {
    process.stderr.write(`bench:profile: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  }
}

export { parseProfileArgs, ProfilePathError, summariseProfiles };
