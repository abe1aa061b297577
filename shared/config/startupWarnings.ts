import { createLogger } from '../logging/index.ts';
import { knownVariables, planePrefixes } from './knownVariables.ts';
import { findUnknownVariables, type UnknownVariable } from './unknownVariables.ts';

type UnknownVariableReport = (unknown: readonly UnknownVariable[]) => void;

let reported = false;

/** The default report: one JSON warning per variable on stderr, like every other log line. */
function logUnknownVariables(unknown: readonly UnknownVariable[]): void {
  const logger = createLogger('warn', { component: 'config' });
  for (const variable of unknown) {
    logger.warn(`unknown variable ${variable.name} ignored; did you mean ${variable.closest}?`, { variable: variable.name, closest: variable.closest });
  }
}

/**
 * Reports, once per process, the variables of this process's environment that carry one of the
 * plane's prefixes but that nothing reads (a misspelt BATCH_MAX_RECORD is otherwise silently
 * ignored). Never fails: a warning, not a refusal, because a newer deployment's variable in an
 * older process's environment is harmless. Entry points with their own output (the CLI) pass a
 * report; every loader called on the process's environment calls this with the default first.
 */
function reportUnknownVariablesOnce(report: UnknownVariableReport = logUnknownVariables): void {
  if (reported) return;
  reported = true;
  const known = knownVariables(process.env);
  const unknown = findUnknownVariables(Object.keys(process.env), known, planePrefixes(known));
  if (unknown.length > 0) report(unknown);
}

export { reportUnknownVariablesOnce };
export type { UnknownVariableReport };
