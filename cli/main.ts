import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadCliConfig, reportUnknownVariablesOnce } from '../shared/config/index.ts';
import { type CommandSpec, type OptionValues, synopsis } from './commandSpec.ts';
import type { Print } from './commands.ts';
import { COMMANDS, GROUPS } from './commandTable.ts';
import { EXIT, UsageError } from './exitCodes.ts';
import { commandHelp, globalHelp, groupHelp } from './help.ts';
import { ROOT } from './paths.ts';
import { describeDatabaseError } from './databaseErrors.ts';

const HELP_FLAGS = new Set(['-h', '--help']);

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return String(manifest.version);
}

/** The command whose words (or an alias's) start `argv`, and the arguments after them. */
function findCommand(argv: readonly string[]): { spec: CommandSpec; rest: string[] } | undefined {
  for (const spec of COMMANDS) {
    for (const name of [spec.name, ...(spec.aliases ?? [])]) {
      const words = name.split(' ');
      if (words.every((word, index) => argv[index] === word)) return { spec, rest: argv.slice(words.length) };
    }
  }
  return undefined;
}

/** `ingest help [words]`: the help of a command, a group, or everything. */
function helpFor(words: readonly string[]): string {
  if (words.length === 0) return globalHelp();
  const found = findCommand(words);
  if (found !== undefined && found.rest.length === 0) return commandHelp(found.spec);
  if (words.length === 1 && GROUPS.includes(words[0]!)) return groupHelp(words[0]!);
  throw new UsageError(`there is no command "ingest ${words.join(' ')}"`, 'ingest help [command]');
}

/** parseArgs reports a bad command line as a TypeError with an ERR_PARSE_ARGS_* code. */
function isParseArgsError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function parseCommandLine(spec: CommandSpec, rest: readonly string[]): { values: OptionValues; positionals: string[] } {
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, option]) => [name, { type: option.type, multiple: option.multiple === true }]));
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    // Node's message goes on to explain `--`; its first sentence is the part that helps here.
    throw new UsageError(error.message.split('. ')[0]!, synopsis(spec), { cause: error });
  }
}

/** Runs one command line; resolves to the exit code, throws what the entry point reports. */
async function runCli(argv: readonly string[], print: Print): Promise<number> {
  const [first] = argv;
  if (first === '--version' || first === '-V') {
    print(`ingest ${packageVersion()}`);
    return EXIT.ok;
  }
  if (first === undefined || HELP_FLAGS.has(first)) {
    print(globalHelp());
    return EXIT.ok;
  }
  if (first === 'help') {
    print(helpFor(argv.slice(1)));
    return EXIT.ok;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    if (GROUPS.includes(first)) {
      if (argv.slice(1).some((arg) => HELP_FLAGS.has(arg))) {
        print(groupHelp(first));
        return EXIT.ok;
      }
      const sub = argv[1];
      throw new UsageError(
        sub === undefined || sub.startsWith('-') ? `"ingest ${first}" needs a subcommand` : `unknown command "ingest ${first} ${sub}"`,
        groupHelp(first),
      );
    }
    throw new UsageError(first.startsWith('-') ? `unknown option "${first}" (options come after the command)` : `unknown command "${first}"`);
  }
  const { spec, rest } = found;
  const { values, positionals } = parseCommandLine(spec, rest);
  if (values.help === true) {
    print(commandHelp(spec));
    return EXIT.ok;
  }
  if (positionals.length < spec.args.length) throw new UsageError(`missing ${spec.args.slice(positionals.length).join(' ')}`, synopsis(spec));
  if (positionals.length > spec.args.length) throw new UsageError(`unexpected argument "${positionals[spec.args.length]}"`, synopsis(spec));
  try {
    const outcome = await spec.run({ args: positionals, values, print });
    return outcome === 'partial' ? EXIT.partial : outcome ? EXIT.ok : EXIT.failed;
  } catch (error) {
    // A value the command refused (--count abc) is a usage error of this command: show its synopsis.
    if (error instanceof UsageError && error.usage === undefined) throw new UsageError(error.message, synopsis(spec), { cause: error });
    throw error;
  }
}

/** What a failure prints on stderr, and its exit code. Never a stack trace: these are operators' errors. */
function reportFailure(error: unknown, write: Print): number {
  if (error instanceof UsageError) {
    write(`ingest: ${error.message}`);
    if (error.usage !== undefined) write(error.usage.includes('\n') ? `\n${error.usage}` : `usage: ${error.usage}`);
    else write('run "ingest --help" for the commands');
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    write(`ingest: ${error.message}`);
    return EXIT.failed;
  }
  let databaseUrl: string | undefined;
  try {
    databaseUrl = loadCliConfig().databaseUrl;
  } catch {
    databaseUrl = undefined; // an invalid configuration was reported by the command itself
  }
  const described = databaseUrl === undefined ? error : describeDatabaseError(error, databaseUrl);
  write(`ingest: ${described instanceof Error ? described.message : String(described)}`);
  return EXIT.failed;
}

const print: Print = (line) => void process.stdout.write(`${line}\n`);
const warn: Print = (line) => void process.stderr.write(`${line}\n`);

// `ingest registry list | head -1`: once the reader is gone there is nobody left to tell, so
// stop quietly and successfully instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  warn(`ingest: cannot write to standard output: ${error.message}`);
  process.exit(EXIT.failed);
});

reportUnknownVariablesOnce((unknown) => {
  for (const variable of unknown) warn(`ingest: warning: ${variable.name} is not a variable this plane reads (ignored); did you mean ${variable.closest}?`);
});

runCli(process.argv.slice(2), print).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error, warn);
  },
);
