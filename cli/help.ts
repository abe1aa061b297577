import { type CommandSpec, synopsis } from './commandSpec.ts';
import { COMMANDS } from './commandTable.ts';
import { EXIT } from './exitCodes.ts';

const EXIT_CODES = `exit codes:
  ${EXIT.ok}  done
  ${EXIT.failed}  failed: not found, incompatible, refused, invalid configuration, a service unreachable
  ${EXIT.usage}  usage error: unknown command or option, missing or malformed argument
  ${EXIT.partial}  partial: printed what it could, some source did not answer (ingest status)`;

/** Two columns, the first padded to its longest entry; a first column too long gets its own line. */
function columns(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.min(40, Math.max(...rows.map(([left]) => left.length)));
  return rows
    .map(([left, right]) => (left.length > width ? `${indent}${left}\n${indent}${' '.repeat(width)}  ${right}` : `${indent}${left.padEnd(width)}  ${right}`))
    .join('\n');
}

function commandLine(spec: CommandSpec): string {
  return [spec.name, ...spec.args].join(' ');
}

/** `ingest --help`: every command, how to get more, the exit codes. */
function globalHelp(): string {
  return `usage: ingest <command> [arguments] [options]
       ingest <command> --help | ingest help [command] | ingest --version

commands:
${columns(COMMANDS.map((spec) => [commandLine(spec), spec.summary]))}

${EXIT_CODES}

Configuration comes from the environment (NATS_URL, DATABASE_URL, ...; see
docs/configuration.md); a variable with one of the plane's prefixes that nothing reads is named on stderr.`;
}

/** `ingest registry --help`: the subcommands of one group. */
function groupHelp(group: string): string {
  const specs = COMMANDS.filter((spec) => spec.name.startsWith(`${group} `));
  return `usage: ingest ${group} <subcommand> [arguments] [options]

subcommands:
${columns(specs.map((spec) => [commandLine(spec), spec.summary]))}

Run "ingest ${group} <subcommand> --help" for one of them.`;
}

/** `ingest registry list --help`: its synopsis, what it does, its options, the exit codes. */
function commandHelp(spec: CommandSpec): string {
  const options: [string, string][] = Object.entries(spec.options).map(([name, option]) => [
    option.type === 'string' ? `--${name} ${option.value ?? 'VALUE'}` : `--${name}`,
    option.help,
  ]);
  options.push(['-h, --help', 'show this help']);
  return `usage: ${synopsis(spec)}

${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.

${spec.details}

options:
${columns(options)}

${EXIT_CODES}`;
}

export { commandHelp, globalHelp, groupHelp };
