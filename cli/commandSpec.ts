import type { Print } from './commands.ts';
import { UsageError } from './exitCodes.ts';

/** One option of one command, as `--help` shows it and parseArgs reads it. */
type OptionSpec = {
  readonly type: 'string' | 'boolean';
  /** The value's placeholder in help (`N`, `FILE`); string options only. */
  readonly value?: string;
  /** A string option that may be given more than once (`--id A --id B`). */
  readonly multiple?: boolean;
  readonly help: string;
};

type OptionValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

type CommandInput = {
  /** The positional arguments after the command's own words, as many as `args` names. */
  readonly args: readonly string[];
  readonly values: OptionValues;
  readonly print: Print;
};

/** A command of `ingest`: its words, arguments, options, help, and what it does. */
type CommandSpec = {
  /** Its words: `migrate`, `registry list`. */
  readonly name: string;
  /** Other words that run it (kept for old scripts, not shown in help). */
  readonly aliases?: readonly string[];
  /** Required positional arguments, as help names them: `<path>`, `<file.json>`. */
  readonly args: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** One line, for the command list. */
  readonly summary: string;
  /** The rest of its own help: what it does, what it prints, when it fails. */
  readonly details: string;
  /**
   * True when it did what was asked; false exits 1 (not found, incompatible, refused); `partial`
   * exits 3 (it printed what it could, some source did not answer).
   */
  run(input: CommandInput): Promise<boolean | 'partial'>;
};

/** `registry list [--json]`: the command's synopsis, for help and usage errors. */
function synopsis(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([name, option]) =>
    option.type === 'string' ? `[--${name} ${option.value ?? 'VALUE'}]${option.multiple === true ? '...' : ''}` : `[--${name}]`,
  );
  return ['ingest', spec.name, ...spec.args, ...options].join(' ');
}

function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable option, or undefined when it was not given. */
function stringValues(values: OptionValues, name: string): readonly string[] | undefined {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : undefined;
}

function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A positive integer option (`--count 5`), or `fallback` when absent; anything else is a usage error. */
function positiveInteger(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) throw new UsageError(`${what} must be a positive integer, got "${value}"`);
  return parsed;
}

/** One of `allowed`, or a usage error listing them. */
function oneOf<T extends string>(value: string | undefined, what: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export { flag, oneOf, positiveInteger, stringValue, stringValues, synopsis };
export type { CommandInput, CommandSpec, OptionSpec, OptionValues };
